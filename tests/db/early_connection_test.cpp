// A connection begun before the graph is built (database_session::
// start_connecting): a command that ends before it needs the connection
// does not wait for it, and one that fails to connect says so as before.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "runners.hpp"
#include "test_database.hpp"

using namespace migration_tools::test;
using Catch::Matchers::Contains;

namespace {

// A TCP socket on 127.0.0.1 that listens and never accepts: the kernel
// completes a client's connect from the backlog, and the client then waits
// for a server that never answers.
class silent_server {
 public:
  silent_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t size = sizeof at;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&at), &size) == 0);
    port_ = ntohs(at.sin_port);
  }
  ~silent_server() { ::close(fd_); }
  silent_server(const silent_server&) = delete;
  silent_server& operator=(const silent_server&) = delete;

  std::string url() const {
    return "postgresql://nobody@127.0.0.1:" + std::to_string(port_) + "/nothing";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a command that refuses before it needs the database does not wait for its connection",
          "[db][config]") {
  silent_server server;
  // Both connect early (upgrade, downgrade, stamp, ... surely connect), then
  // refuse their arguments after the graph is built.
  for (auto args : {std::vector<std::string>{"downgrade"}, std::vector<std::string>{"stamp"}}) {
    args.insert(args.begin(), {LINEAR_RUNNER, "--url", server.url(), "--color", "never"});
    auto child = start_process(args);
    auto r = finish_process(child, 60);
    INFO(args[5] << ": " << r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("needs a"));
    CHECK_THAT(r.err, Contains("using database " + server.url()));
  }
}

TEST_CASE("a connection begun early that fails is reported as one made late", "[db][config]") {
  // A port nobody listens on: taken, then given back.
  std::string refused;
  {
    silent_server taken;
    refused = taken.url();
  }
  auto early = linear(refused, {"current"});
  auto late = linear(refused, {"--wait-for-db", "1ms", "current"});
  INFO(early.err << "\n" << late.err);
  CHECK(early.exit_code == 1);
  CHECK(late.exit_code == 1);
  std::string message = "cannot connect to " + refused + ": ";
  CHECK_THAT(early.err, Contains(message));
  CHECK_THAT(late.err, Contains(message));
  // The same reason, whichever thread met it.
  auto reason = [&](const std::string& err) {
    auto at = err.find(message);
    return at == std::string::npos ? std::string() : err.substr(at, err.find('\n', at) - at);
  };
  CHECK(reason(early.err) == reason(late.err));
}

TEST_CASE("commands that connect early still read and change the database", "[db][config]") {
  auto url = fresh_database("early_connection");
  auto up = linear(url, {"upgrade"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  auto current = linear(url, {"current"});
  CHECK(current.exit_code == 0);
  CHECK_THAT(current.out, Contains("(head)"));
  auto check = linear(url, {"check"});
  CHECK(check.exit_code == 0);
  auto down = linear(url, {"downgrade", "base"});
  CHECK(down.exit_code == 0);
  CHECK(linear(url, {"current"}).exit_code == 0);
}

TEST_CASE(
    "a wait for the database (--wait-for-db) is the whole budget, also against a server that "
    "accepts and says nothing",
    "[db][config]") {
  silent_server server;
  auto started = std::chrono::steady_clock::now();
  auto child = start_process(
      {LINEAR_RUNNER, "--url", server.url(), "--color", "never", "--wait-for-db", "3s", "current"});
  auto r = finish_process(child, 60);
  auto took = std::chrono::steady_clock::now() - started;
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  // Three seconds, and libpq's connect_timeout rounds up to whole seconds.
  CHECK(took < std::chrono::seconds(8));
  CHECK_THAT(r.err, Contains("127.0.0.1"));
}
