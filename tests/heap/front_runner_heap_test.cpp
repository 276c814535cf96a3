// The front runner's allocator (cmake/templates/front_runner_heap.cpp),
// linked into this program as into a lean runner: every operator new below
// goes through it.
#define CATCH_CONFIG_MAIN
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::uintptr_t two_mib = std::uintptr_t{2} << 20;

// The mapping of /proc/self/smaps that holds `p`: its bounds and VmFlags.
struct mapping {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  std::string flags;
};

mapping mapping_of(const void* p) {
  auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  mapping found;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = at >= begin && at < end;
      if (inside) found = mapping{begin, end, {}};
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      found.flags = line.substr(8) + " ";
    }
  }
  return found;
}

struct block {
  char* p;
  std::size_t size;
};

}  // namespace

TEST_CASE("Small allocations come from one 2 MiB block advised for huge pages") {
  auto first = std::make_unique<char[]>(100);
  auto second = std::make_unique<char[]>(100);
  mapping m = mapping_of(first.get());
  REQUIRE(m.end != 0);
  CHECK(m.begin % two_mib == 0);
  CHECK(m.end - m.begin == two_mib);
  // "hg": madvise(MADV_HUGEPAGE), whatever the system's THP setting.
  CHECK(m.flags.find(" hg ") != std::string::npos);
  CHECK(mapping_of(second.get()).begin == m.begin);
}

TEST_CASE("Two threads get aligned blocks that do not overlap, and keep what they write") {
  std::vector<block> blocks[2];
  auto allocate = [](std::vector<block>& out, int seed) {
    for (int i = 0; i < 2000; ++i) {
      std::size_t size = 1 + static_cast<std::size_t>((i * 37 + seed) % 700);
      char* p = static_cast<char*>(::operator new(size));
      std::memset(p, seed + i % 100, size);
      out.push_back(block{p, size});
    }
  };
  std::thread other(allocate, std::ref(blocks[1]), 1);
  allocate(blocks[0], 2);
  other.join();

  std::vector<block> all;
  for (int t = 0; t < 2; ++t) {
    for (std::size_t i = 0; i < blocks[t].size(); ++i) {
      const block& b = blocks[t][i];
      CHECK(reinterpret_cast<std::uintptr_t>(b.p) % __STDCPP_DEFAULT_NEW_ALIGNMENT__ == 0);
      int expected = (t == 0 ? 2 : 1) + static_cast<int>(i % 100);
      CHECK(
          std::all_of(b.p, b.p + b.size, [&](char c) { return c == static_cast<char>(expected); }));
      all.push_back(b);
    }
  }
  std::sort(all.begin(), all.end(), [](const block& a, const block& b) { return a.p < b.p; });
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].p + all[i - 1].size <= all[i].p);
  for (const block& b : all) ::operator delete(b.p);
}

TEST_CASE("A large allocation and those after the block is used up come from malloc") {
  mapping block_mapping = mapping_of(std::make_unique<char>().get());
  auto inside = [&](const void* p) {
    auto at = reinterpret_cast<std::uintptr_t>(p);
    return at >= block_mapping.begin && at < block_mapping.end;
  };
  std::vector<char> large(std::size_t{1} << 20, 'x');
  CHECK_FALSE(inside(large.data()));

  // 64 kB at a time (the largest the block serves) until it is full.
  std::vector<std::unique_ptr<char[]>> fill;
  for (int i = 0; i < 40; ++i) fill.push_back(std::make_unique<char[]>(std::size_t{64} << 10));
  CHECK(inside(fill.front().get()));
  CHECK_FALSE(inside(fill.back().get()));
  auto after = std::make_unique<char[]>(32);
  CHECK_FALSE(inside(after.get()));
  std::memset(after.get(), 1, 32);
  fill.clear();  // deletes of block memory and of malloc's alike
}

TEST_CASE("An allocation nothing can serve throws bad_alloc") {
  CHECK_THROWS_AS(::operator new (std::size_t{1} << 62), std::bad_alloc);
  CHECK(::operator new (std::size_t{1} << 62, std::nothrow) == nullptr);
}
