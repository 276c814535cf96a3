// The front runner's allocator: C++ allocations come from one 2 MiB block
// that the kernel may back with a single transparent huge page, and are never
// reused; what does not fit goes to malloc as before.
//
// Why: a `heads` at 1,000 migrations allocates about 600 kB, and on the
// virtual machines where it was measured each first touch of a fresh 4 kB
// heap page costs about 10 us: some 100 page faults, 1 to 1.5 ms of a 10 ms
// command (bench/README.md, "A heap on one huge page"). One huge page takes
// one fault. glibc's own `glibc.malloc.hugetlb` tunable cannot be set from
// inside the process, and leaves the start of the heap, where a short
// command's allocations are, on small pages.
//
// Linked only into the front runner that add_migrations() builds without
// sanitizers (_migration_tools_lean_runner): a short-lived process whose
// commands allocate little and free little, so that a block that is never
// reused wastes at most the block. The online runner, which may run for
// hours, and applications that link <name>::migrations keep malloc.
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;
// Bigger blocks (a whole offline script, a file's bytes) go to malloc, which
// can give them back, and would use up the block in one go.
constexpr std::size_t largest_from_block = std::size_t{64} << 10;
constexpr std::size_t alignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

enum : int { unmapped, mapping, mapped, unavailable };

// Constant-initialised, so that allocations made by other static
// initialisers, before this file's, find them ready.
std::atomic<int> block_state{unmapped};
std::atomic<std::uintptr_t> next_free{0};
std::uintptr_t block_begin = 0;
std::uintptr_t block_end = 0;

// Maps a 2 MiB-aligned block (a huge page can only back an aligned one) and
// asks for huge pages. Without them (THP off, an old kernel) the block still
// serves, on small pages, as malloc would.
bool map_block() {
  void* raw = ::mmap(nullptr, 2 * huge_page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return false;
  auto begin = reinterpret_cast<std::uintptr_t>(raw);
  std::uintptr_t aligned = (begin + huge_page - 1) & ~(huge_page - 1);
  if (aligned > begin) ::munmap(raw, aligned - begin);
  if (aligned + huge_page < begin + 2 * huge_page)
    ::munmap(reinterpret_cast<void*>(aligned + huge_page),
             begin + 2 * huge_page - aligned - huge_page);
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(aligned), huge_page, MADV_HUGEPAGE);
#endif
  block_begin = aligned;
  block_end = aligned + huge_page;
  next_free.store(aligned, std::memory_order_relaxed);
  return true;
}

// The block, mapped by the first allocation; allocations racing with the
// mapping (none in practice: it happens before main) use malloc meanwhile.
bool block_ready() {
  int state = block_state.load(std::memory_order_acquire);
  if (state == mapped) return true;
  if (state != unmapped || !block_state.compare_exchange_strong(state, mapping)) return false;
  block_state.store(map_block() ? mapped : unavailable, std::memory_order_release);
  return block_state.load(std::memory_order_relaxed) == mapped;
}

void* from_block(std::size_t size) {
  if (size > largest_from_block || !block_ready()) return nullptr;
  std::size_t rounded = (size + alignment - 1) & ~(alignment - 1);
  if (rounded == 0) rounded = alignment;
  // Once the block is used up, next_free only grows past its end (by at most
  // 64 kB per allocation, far from wrapping) and every later request misses.
  std::uintptr_t at = next_free.fetch_add(rounded, std::memory_order_relaxed);
  if (at + rounded > block_end) return nullptr;
  return reinterpret_cast<void*>(at);
}

bool in_block(void* p) {
  // A pointer from the block was handed out after the mapping was published.
  if (block_state.load(std::memory_order_acquire) != mapped) return false;
  auto at = reinterpret_cast<std::uintptr_t>(p);
  return at >= block_begin && at < block_end;
}

}  // namespace

// The replaceable forms the others (arrays, nothrow, sized) forward to.
void* operator new(std::size_t size) {
  if (void* p = from_block(size)) return p;
  for (;;) {
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void operator delete(void* p) noexcept {
  if (!in_block(p)) std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}
