// libFuzzer target: the statement splitter must survive any bytes, and each
// statement must be a slice of the input at the offset and line it reports.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "migration_tools/core/sql_splitter.hpp"
#include "migration_tools/core/text.hpp"

namespace mt = migration_tools;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  size_t previous_end = 0;
  for (const auto& st : mt::split_sql(sql)) {
    if (st.offset < previous_end || st.offset + st.text.size() > sql.size()) std::abort();
    if (st.text.data() != sql.data() + st.offset) std::abort();
    if (st.text.empty() || mt::is_space(st.text.front())) std::abort();
    if (st.line != mt::count_newlines(sql, st.offset) + 1) std::abort();
    previous_end = st.offset + st.text.size();
  }
  return 0;
}
