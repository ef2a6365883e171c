#include "mc/server/slab_allocator.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <new>
#include <stdexcept>

namespace mc::server {

namespace {
constexpr std::size_t kMinPageSize = std::size_t{1} << 20;  // memcached's slab page: 1 MiB
constexpr std::size_t kSmallestChunk = 40;  // a 32-byte header, a 1-byte key, "\r\n"
constexpr std::size_t kFineStepLimit = 512;
constexpr double kGrowthFactor = 1.125;
// An ItemRef counts 8-byte steps, so 32 bits reach 32 GiB of arena.
constexpr std::size_t kMaxArena = (std::size_t{1} << 32) * 8 - kMinPageSize;

constexpr std::size_t round_up8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

std::byte* reserve_arena(std::size_t bytes) {
  // MAP_NORESERVE: address space only; memory is committed page by page as it is written.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}
// Address space to reserve beyond the memory limit, so that cache_memlimit can raise it up to
// the machine's memory. Reserving costs nothing until pages are written.
std::size_t arena_hint() {
  const auto pages = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES));
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return std::min(pages * page, kMaxArena);
}
}  // namespace

SlabAllocator::SlabAllocator(std::size_t memory_limit, std::size_t largest_item)
    : page_size_(std::bit_ceil(std::max(kMinPageSize, round_up8(largest_item)))),
      page_shift_(static_cast<unsigned>(std::countr_zero(page_size_))),
      reserved_pages_(std::max(std::min(memory_limit, kMaxArena), arena_hint()) / page_size_),
      max_pages_(std::max<std::size_t>(1, std::min(memory_limit, kMaxArena) / page_size_)),
      arena_(reserve_arena(reserved_pages_ * page_size_)) {
  const std::size_t largest = round_up8(largest_item);
  std::size_t size = kSmallestChunk;
  while (true) {
    size = std::min(size, largest);
    SlabClass c;
    c.chunk_size = static_cast<std::uint32_t>(size);
    c.chunks_per_page = static_cast<std::uint32_t>(page_size_ / size);
    classes_.push_back(c);
    if (size == largest) break;
    size = size < kFineStepLimit ? size + 8
                                 : round_up8(static_cast<std::size_t>(size * kGrowthFactor));
  }
  assert(classes_.size() <= 256);  // page_class_ holds a class in one byte
  page_class_.resize(reserved_pages_);
}

SlabAllocator::~SlabAllocator() { munmap(arena_, reserved_pages_ * page_size_); }

bool SlabAllocator::set_memory_limit(std::size_t memory_limit) {
  const std::size_t pages = memory_limit / page_size_;
  if (pages == 0 || pages > reserved_pages_) return false;
  max_pages_ = pages;
  return true;
}

int SlabAllocator::class_for(std::size_t size) const {
  if (size <= kFineStepLimit) {
    // The fine-grained classes are 8 bytes apart, so the index is arithmetic.
    const std::size_t rounded = std::max(kSmallestChunk, round_up8(size));
    const auto index = static_cast<int>((rounded - kSmallestChunk) / 8);
    if (index < class_count()) return index;
  }
  const auto it =
      std::lower_bound(classes_.begin(), classes_.end(), size,
                       [](const SlabClass& c, std::size_t s) { return c.chunk_size < s; });
  return it == classes_.end() ? -1 : static_cast<int>(it - classes_.begin());
}

Chunk SlabAllocator::chunk_at(const SlabClass& c, std::uint32_t page_number,
                              std::uint32_t index) const {
  auto* item = reinterpret_cast<Item*>(arena_ + std::size_t{page_number} * page_size_ +
                                       std::size_t{index} * c.chunk_size);
  return {item, ref_of(item)};
}

bool SlabAllocator::in_page(const Item* item, std::uint32_t page_number) const {
  const auto* bytes = reinterpret_cast<const std::byte*>(item);
  const std::byte* base = arena_ + std::size_t{page_number} * page_size_;
  return bytes >= base && bytes < base + page_size_;
}

void SlabAllocator::carve(int cls, std::uint32_t page_number) {
  SlabClass& c = classes_[static_cast<std::size_t>(cls)];
  c.pages.push_back(page_number);
  page_class_[page_number] = static_cast<std::uint8_t>(cls);
  // Pushed last to first, so chunks are handed out in address order: on a fresh page the
  // CLOCK hand then meets items in the order they were stored, oldest first.
  for (std::uint32_t i = c.chunks_per_page; i-- > 0;) {
    Item* item = new (chunk_at(c, page_number, i).item) Item{};
    item->next_unused = c.free_list;
    c.free_list = item;
  }
  c.free_count += c.chunks_per_page;
}

Chunk SlabAllocator::allocate(int cls) {
  SlabClass& c = classes_[static_cast<std::size_t>(cls)];
  if (c.free_list == nullptr) {
    if (pages_used_ >= max_pages_) return {};
    carve(cls, static_cast<std::uint32_t>(pages_used_++));
  }
  Item* item = c.free_list;
  c.free_list = item->next_unused;
  --c.free_count;
  item->state = 0;
  return {item, ref_of(item)};
}

void SlabAllocator::free(Item* item) {
  SlabClass& c = classes_[static_cast<std::size_t>(class_of(item))];
  item->state = kItemFree;
  item->next_unused = c.free_list;
  c.free_list = item;
  ++c.free_count;
}

Chunk SlabAllocator::advance_hand(int cls) {
  SlabClass& c = classes_[static_cast<std::size_t>(cls)];
  assert(!c.pages.empty());
  if (c.hand_page >= c.pages.size()) c.hand_page = 0;
  const Chunk chunk = chunk_at(c, c.pages[c.hand_page], c.hand_chunk);
  if (++c.hand_chunk == c.chunks_per_page) {
    c.hand_chunk = 0;
    c.hand_page = (c.hand_page + 1) % c.pages.size();
  }
  return chunk;
}

void SlabAllocator::move_hand_page(int from, int to) {
  SlabClass& c = classes_[static_cast<std::size_t>(from)];
  const std::size_t index = c.hand_page % c.pages.size();
  const std::uint32_t page_number = c.pages[index];

  // Unthread the page's chunks from the free list (rare: only when classes trade pages).
  Item** link = &c.free_list;
  while (*link != nullptr) {
    if (in_page(*link, page_number)) {
      assert((*link)->state == kItemFree);
      *link = (*link)->next_unused;
      --c.free_count;
    } else {
      link = &(*link)->next_unused;
    }
  }
  c.pages.erase(c.pages.begin() + static_cast<std::ptrdiff_t>(index));
  c.hand_page = index;  // the hand goes on with what was the next page
  c.hand_chunk = 0;
  carve(to, page_number);
}

int SlabAllocator::richest_class(int excluding) const {
  int best = -1;
  std::size_t most = 0;
  for (int i = 0; i < class_count(); ++i) {
    const std::size_t n = classes_[static_cast<std::size_t>(i)].pages.size();
    if (i != excluding && n > most) {
      most = n;
      best = i;
    }
  }
  return best;
}

SlabClassInfo SlabAllocator::info(int cls) const {
  const SlabClass& c = classes_[static_cast<std::size_t>(cls)];
  return {c.chunk_size, c.chunks_per_page, static_cast<std::uint32_t>(c.pages.size()),
          c.free_count};
}

}  // namespace mc::server
