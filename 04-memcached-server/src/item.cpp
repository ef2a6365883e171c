#include "mc/server/item.hpp"

namespace mc::server {

void ReleaseList::push(Item* item) {
  // A Treiber stack push. Only push happens concurrently (take_all swaps the whole list out),
  // so there is no ABA problem: a node is never popped and pushed back while we look at it.
  Item* head = head_.load(std::memory_order_relaxed);
  do {
    item->next_unused = head;
  } while (!head_.compare_exchange_weak(head, item, std::memory_order_release,
                                        std::memory_order_relaxed));
}

}  // namespace mc::server
