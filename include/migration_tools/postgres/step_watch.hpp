// What a running migration step is doing, seen from a second connection:
// which sessions keep it waiting for a lock (PostgreSQL's pg_blocking_pids()),
// so that a lock timeout can say who blocked, and how far a long statement
// has got (pg_stat_progress_create_index, pg_stat_progress_cluster), so that
// the operator sees it move.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

namespace migration_tools {

struct blocking_session {
  int pid = 0;
  std::string user;
  std::string application;
  std::string state;               // pg_stat_activity.state: "idle in transaction", "active"...
  double transaction_seconds = 0;  // how long its transaction has been open (0: none)
  std::string query;               // its current or last query, cut at 200 characters
};

// "pid 4242 (user app, application 'report', idle in transaction, its
// transaction open for 12.3 s): SELECT ..." on one line.
std::string describe_blocking_session(const blocking_session& s);

// The sessions that block `pid` now, asked on `conn`.
std::vector<blocking_session> sessions_blocking(pqxx::connection& conn, int pid);

// The sessions other than `conn`'s whose transaction has been open longer
// than `older_than` and holds a lock on `table` (a name as SQL writes it;
// none when no such table exists): those an ACCESS EXCLUSIVE lock on it
// would wait for.
std::vector<blocking_session> old_transactions_on(pqxx::connection& conn, const std::string& table,
                                                  std::chrono::milliseconds older_than);

// How far the statement running in a step has got.
struct step_progress {
  std::chrono::milliseconds elapsed{0};  // since the step started
  std::string command;                   // "CREATE INDEX CONCURRENTLY", "CLUSTER", ... or ""
  std::string phase;                     // PostgreSQL's name of the phase, or ""
  std::optional<double> percent;         // of the phase's blocks or tuples, when it counts them
  bool finished = false;                 // the step ended: the last call
};
// "CREATE INDEX CONCURRENTLY: building index, 42% (12.5 s)" or "running (4.0 s)".
std::string describe_progress(const step_progress& p);

// The progress of the statement `pid` runs, asked on `conn` (no command
// when it is none that PostgreSQL reports the progress of).
step_progress progress_of(pqxx::connection& conn, int pid);

using progress_listener = std::function<void(const step_progress&)>;

// Watches the steps that `watched_pid` runs from `observer` (a connection no
// migration uses: the runner's lock connection), one step at a time between
// start() and stop(), from a short delay after it starts: a step that
// finishes quickly costs no query. One thread serves the whole run (a thread
// per step cost more than the steps of a fleet). Blockers are read every
// 200 ms; with a listener, the progress every `every` once the step has run
// for `after`, and once more with `finished` at stop(). The observer must
// not be used elsewhere between start() and stop().
class step_watch {
 public:
  step_watch(pqxx::connection& observer, int watched_pid);
  ~step_watch();
  step_watch(const step_watch&) = delete;
  step_watch& operator=(const step_watch&) = delete;

  // A step begins.
  void start(progress_listener on_progress = {},
             std::chrono::milliseconds after = std::chrono::seconds(2),
             std::chrono::milliseconds every = std::chrono::seconds(5));
  // The step ended: the watching stops (a query under way is waited for);
  // the sessions seen blocking it last (none if none was seen).
  std::vector<blocking_session> stop();
  // Why the sessions could not be read during the last step ("" otherwise).
  std::string failure();

 private:
  void serve();
  void watch_step(std::unique_lock<std::mutex>& lock);

  pqxx::connection& observer_;
  int watched_pid_;
  std::mutex mutex_;
  std::condition_variable wake_;  // to the thread: a step began or ended, or quit
  std::condition_variable idle_;  // from the thread: no query under way
  // Under mutex_:
  bool active_ = false;  // between start() and stop()
  bool busy_ = false;    // the thread is asking the observer
  bool quitting_ = false;
  unsigned step_ = 0;  // counts start(): a step that ends and another that begins are two
  progress_listener on_progress_;
  std::chrono::milliseconds after_{0}, every_{0};
  std::chrono::steady_clock::time_point started_;
  bool reported_ = false;  // a progress report was made: stop() makes the last
  std::vector<blocking_session> last_seen_;
  std::string failure_;
  std::thread thread_;
};

}  // namespace migration_tools
