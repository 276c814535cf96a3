// A fleet run: a queue of targets, `jobs` worker threads taking the next one,
// the canary batch first, and the state file rewritten whole as each ends.
#include "fleet_run.hpp"

#include <algorithm>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "migration_tools/core/diagnostic.hpp"
#include "migration_tools/core/file_io.hpp"
#include "migration_tools/core/text.hpp"
#include "migration_tools/core/url.hpp"

namespace migration_tools::engine {

namespace {

constexpr const char* state_format = "migration-tools-fleet-state/1";

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The state file: what each target reached, keyed by its name (which holds
// no password), for the goal the run had.
class fleet_state {
 public:
  fleet_state(const fleet_settings& s) : path_(s.state_file) {
    document_ = {{"format", state_format}, {"goal", s.goal}, {"targets", nlohmann::json::object()}};
    if (!s.resume) return;
    if (path_.empty()) throw usage_error("--resume of a fleet needs the --state FILE of its run");
    nlohmann::json read;
    try {
      read = nlohmann::json::parse(read_file(path_));
    } catch (const nlohmann::json::exception& e) {
      throw usage_error("the state file '" + path_ + "' is no fleet state: " + e.what());
    } catch (const error& e) {
      throw usage_error(std::string(e.what()) + " (--resume needs the --state FILE a run wrote)");
    }
    if (!read.is_object() || read.value("format", "") != state_format ||
        !read.contains("targets") || !read["targets"].is_object())
      throw usage_error("the state file '" + path_ + "' is no fleet state (its format is not " +
                        state_format + ")");
    std::string goal = read.value("goal", "");
    if (goal != s.goal)
      throw usage_error("the state file '" + path_ + "' is of a run of '" + goal + "', not of '" +
                        s.goal + "': resume with the same command, or give another --state");
    document_["targets"] = read["targets"];
  }

  // The target reached the goal in an earlier run: what it reached.
  std::optional<std::vector<std::string>> done(const fleet_target& t) const {
    const auto& targets = document_["targets"];
    auto found = targets.find(t.name);
    if (found == targets.end() || found->value("result", "") != "ok") return std::nullopt;
    return found->value("to", std::vector<std::string>{});
  }

  void record(const target_report& r) {
    if (path_.empty()) return;
    document_["targets"][r.target.name] = {
        {"result", status_text(r.status)}, {"exit_code", r.outcome.exit_code},
        {"from", r.outcome.from},          {"to", r.outcome.to},
        {"steps", r.outcome.steps},        {"message", r.outcome.message},
        {"finished_at", utc_now()}};
    // Whole or not at all: a run killed while writing leaves the last state.
    write_file(path_,
               document_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }

 private:
  std::string path_;
  nlohmann::json document_;
};

}  // namespace

const char* status_text(target_status s) {
  switch (s) {
    case target_status::ok:
      return "ok";
    case target_status::failed:
      return "failed";
    case target_status::done_before:
      return "done before";
    case target_status::not_run:
      return "not run";
  }
  return "?";
}

int default_fleet_jobs() {
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores == 0 ? 1u : cores, 1u, 8u));
}

int worse_exit_code(int a, int b) {
  // 1 (a failure) is worst, then 2 (bad input), then 3 (problems found), then 0.
  auto rank = [](int code) { return code == 0 ? 0 : code == 3 ? 1 : code == 2 ? 2 : 3; };
  return rank(a) >= rank(b) ? a : b;
}

fleet_report run_fleet(const std::vector<fleet_target>& targets, const fleet_settings& settings,
                       const target_work& work, const target_finished& finished) {
  if (settings.jobs < 1)
    throw usage_error("--jobs must be 1 or more, not " + std::to_string(settings.jobs));
  if (settings.canary < 0)
    throw usage_error("--canary must be 0 or more, not " + std::to_string(settings.canary));
  auto started = std::chrono::steady_clock::now();
  fleet_state state(settings);
  fleet_report report;
  for (size_t i = 0; i < targets.size(); ++i)
    report.targets.push_back({i, targets[i], target_status::not_run, {}, {}});

  std::mutex mutex;  // guards report, state, stop and the finished callback
  size_t finished_count = 0;
  bool stop = false;
  auto end_target = [&](size_t i) {
    ++finished_count;
    const auto& r = report.targets[i];
    if (r.status != target_status::done_before) state.record(r);
    if (finished) finished(r, finished_count, targets.size());
  };

  std::vector<size_t> queue;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (auto reached = state.done(targets[i])) {
      auto& r = report.targets[i];
      r.status = target_status::done_before;
      r.outcome.from = r.outcome.to = *reached;
      std::lock_guard<std::mutex> lock(mutex);
      end_target(i);
      continue;
    }
    queue.push_back(i);
  }

  auto run_batch = [&](const std::vector<size_t>& batch) {
    size_t next = 0;
    auto worker = [&] {
      for (;;) {
        size_t i;
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (stop || next >= batch.size()) return;
          i = batch[next++];
        }
        auto t0 = std::chrono::steady_clock::now();
        target_outcome outcome = work(targets[i], i, settings.resume);
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - t0);
        std::lock_guard<std::mutex> lock(mutex);
        auto& r = report.targets[i];
        r.outcome = std::move(outcome);
        r.duration = took;
        r.status = r.outcome.exit_code == 0 ? target_status::ok : target_status::failed;
        if (r.status == target_status::failed && settings.fail_fast) stop = true;
        end_target(i);
      }
    };
    size_t threads = std::min(batch.size(), static_cast<size_t>(settings.jobs));
    std::vector<std::thread> pool;
    for (size_t k = 1; k < threads; ++k) pool.emplace_back(worker);
    if (threads > 0) worker();
    for (auto& t : pool) t.join();
  };

  size_t canary = std::min(queue.size(), static_cast<size_t>(settings.canary));
  std::vector<size_t> first(queue.begin(), queue.begin() + static_cast<long>(canary));
  std::vector<size_t> rest(queue.begin() + static_cast<long>(canary), queue.end());
  if (!first.empty()) {
    run_batch(first);
    bool all_ok = std::all_of(first.begin(), first.end(), [&](size_t i) {
      return report.targets[i].status == target_status::ok;
    });
    if (!all_ok) stop = true;
  }
  if (!stop) run_batch(rest);
  // What never started is reported too, so that the summary names every target.
  for (size_t i = 0; i < report.targets.size(); ++i)
    if (report.targets[i].status == target_status::not_run) {
      std::lock_guard<std::mutex> lock(mutex);
      end_target(i);
    }
  for (const auto& r : report.targets)
    report.exit_code = worse_exit_code(report.exit_code, r.outcome.exit_code);
  // Targets left out after a failure fail the run even if, by chance, none that ran did.
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

std::vector<std::string> read_urls_file(const std::string& path) {
  // Like a .env, the file decides where credentials go: the same checks.
  std::string text = read_private_file(path, "URLs file", 16u << 20);
  std::vector<std::string> urls;
  size_t line_number = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A URL holds no white space: what follows the first is a comment.
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') {
      if (end == text.size()) break;
      continue;
    }
    size_t last = line.find_first_of(" \t", first);
    std::string url =
        line.substr(first, last == std::string::npos ? std::string::npos : last - first);
    bool looks_like_url = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
    if (!looks_like_url)
      throw usage_error(path + ":" + std::to_string(line_number) +
                        ": error: not a PostgreSQL URL (postgresql://...; a keyword connection "
                        "string is not taken here): '" +
                        escape_control_characters(redact_url(url.substr(0, 40))) +
                        (url.size() > 40 ? "...'" : "'"));
    if (last != std::string::npos) {
      size_t after = line.find_first_not_of(" \t", last);
      if (after != std::string::npos && line[after] != '#')
        throw usage_error(path + ":" + std::to_string(line_number) +
                          ": error: one URL per line; what follows it is no '#' comment (a URL "
                          "holds no space: percent-encode it as %20)");
    }
    urls.push_back(url);
    if (end == text.size()) break;
  }
  if (urls.empty()) throw usage_error(path + ": error: no URL in the URLs file");
  return urls;
}

}  // namespace migration_tools::engine
