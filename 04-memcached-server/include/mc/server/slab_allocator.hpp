/// \file
/// \brief Size-class slabs: memory in large pages, each page cut into equal chunks, one item
/// per chunk, addressed by 32-bit ItemRef; plus each class's CLOCK hand.

#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mc/server/item.hpp"

namespace mc::server {

/// \brief A chunk in use: the item and its 32-bit reference.
struct Chunk {
  Item* item = nullptr;  ///< the chunk's header
  ItemRef ref = 0;       ///< its reference, as stored in hash chains
};

/// \brief The geometry and occupancy of one size class (for `stats slabs`).
struct SlabClassInfo {
  std::uint32_t chunk_size = 0;       ///< bytes per chunk
  std::uint32_t chunks_per_page = 0;  ///< chunks in one page
  std::uint32_t total_pages = 0;      ///< pages the class owns
  std::uint32_t free_chunks = 0;      ///< chunks on its free list
};

/// \brief Hands out fixed-size chunks from pages of `page_size` bytes, within a memory limit.
///
/// Like memcached's slabs: a page, once given to a size class, is cut into chunks of that
/// class's size and all of them go on the class's free list. The memory limit counts pages,
/// as memcached's `-m` does. Classes step by 8 bytes up to 512 (an item wastes at most 7
/// bytes), then grow by 12.5% up to the largest item. Single-threaded, like the store.
///
/// All pages come from one reserved range of address space (the memory limit's worth,
/// mapped lazily by the kernel), so an ItemRef is simply the chunk's offset in 8-byte units:
/// converting between ItemRef and Item* is an add and a shift, with no table to consult.
class SlabAllocator {
 public:
  /// \brief Sets up the classes for items up to `largest_item` bytes, within `memory_limit`.
  SlabAllocator(std::size_t memory_limit, std::size_t largest_item);

  /// \brief Returns the address range to the system.
  ~SlabAllocator();

  SlabAllocator(const SlabAllocator&) = delete;
  SlabAllocator& operator=(const SlabAllocator&) = delete;

  /// \brief The class whose chunks hold `size` bytes, or -1 if none is large enough.
  int class_for(std::size_t size) const;

  /// \brief A free chunk of class `cls`, taking a new page if the limit allows; an empty
  /// Chunk if neither works (the caller then evicts).
  Chunk allocate(int cls);

  /// \brief Puts a dead chunk (refcount 0, unlinked) back on its class's free list.
  void free(Item* item);

  /// \brief The item an ItemRef points to.
  Item* resolve(ItemRef ref) const {
    return reinterpret_cast<Item*>(arena_ + (static_cast<std::size_t>(ref - 1) << 3));
  }
  /// \brief The reference of an item (the inverse of resolve()).
  ItemRef ref_of(const Item* item) const {
    return static_cast<ItemRef>((reinterpret_cast<const std::byte*>(item) - arena_) >> 3) + 1;
  }

  /// \brief The size class of the chunk `item` (a page belongs to one class at a time).
  int class_of(const Item* item) const {
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const std::byte*>(item) - arena_);
    return page_class_[offset >> page_shift_];
  }

  /// \brief The chunk under class `cls`'s CLOCK hand; the hand then moves one chunk on.
  /// The class must own at least one page.
  Chunk advance_hand(int cls);

  /// \brief Calls `visit(Chunk)` for every chunk of the page under class `cls`'s hand, the
  /// page the class gives up first; returns false as soon as `visit` does.
  template <typename Visit>
  bool for_each_chunk_of_hand_page(int cls, Visit&& visit) const {
    const SlabClass& c = classes_[static_cast<std::size_t>(cls)];
    if (c.pages.empty()) return false;
    const std::uint32_t page_number = c.pages[c.hand_page % c.pages.size()];
    for (std::uint32_t i = 0; i < c.chunks_per_page; ++i) {
      if (!visit(chunk_at(c, page_number, i))) return false;
    }
    return true;
  }

  /// \brief Moves the page under `from`'s hand to class `to`; every chunk on it must be free.
  void move_hand_page(int from, int to);

  /// \brief The class owning the most pages, other than `excluding`; -1 if none has any.
  int richest_class(int excluding) const;

  /// \brief Number of size classes.
  int class_count() const { return static_cast<int>(classes_.size()); }
  /// \brief Geometry and occupancy of class `cls`.
  SlabClassInfo info(int cls) const;
  /// \brief Pages handed out so far (memcached's `total_malloced` / page size).
  std::size_t pages_in_use() const { return pages_used_; }
  /// \brief Bytes per page.
  std::size_t page_size() const { return page_size_; }
  /// \brief The memory limit, rounded down to whole pages (memcached's `limit_maxbytes`).
  std::size_t memory_limit() const { return max_pages_ * page_size_; }
  /// \brief Changes the memory limit (`cache_memlimit`). Pages already handed out stay; a
  /// lower limit only stops new ones. Fails if the limit is beyond the reserved range.
  bool set_memory_limit(std::size_t memory_limit);

 private:
  struct SlabClass {
    std::uint32_t chunk_size = 0;
    std::uint32_t chunks_per_page = 0;
    std::vector<std::uint32_t> pages;  // page numbers, in the order the class received them
    Item* free_list = nullptr;         // linked through Item::next_unused
    std::uint32_t free_count = 0;
    std::size_t hand_page = 0;  // CLOCK hand: index into `pages`, then chunk in that page
    std::uint32_t hand_chunk = 0;
  };

  Chunk chunk_at(const SlabClass& c, std::uint32_t page_number, std::uint32_t index) const;
  void carve(int cls, std::uint32_t page_number);
  bool in_page(const Item* item, std::uint32_t page_number) const;

  std::size_t page_size_;
  unsigned page_shift_;         // page_size_ is a power of two: a page number is an offset's shift
  std::size_t reserved_pages_;  // the arena's size: the most max_pages_ can ever become
  std::size_t max_pages_;       // the memory limit, in pages
  std::byte* arena_;            // reserved_pages_ * page_size_ bytes of address space
  std::size_t pages_used_ = 0;  // pages handed to classes, from the start of the arena
  std::vector<SlabClass> classes_;
  // The class of every page handed out, so that an item needs no class field of its own:
  // one byte per megabyte, always in cache for the pages in use.
  std::vector<std::uint8_t> page_class_;
};

}  // namespace mc::server
