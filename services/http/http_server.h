// plauditd's HTTP/1.1 server: Boost.Beast on Asio, a few threads for every
// connection (idle keep-alive connections and open streams cost a socket
// and a buffer, never a thread — civetweb, which serves /metrics, spends a
// worker thread per connection and could not hold thousands). Bounded
// connections, request sizes and header/body/idle timeouts; keep-alive on.
#ifndef PLAUDIT_SERVICES_HTTP_HTTP_SERVER_H_
#define PLAUDIT_SERVICES_HTTP_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace plaudit {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string body;
  // Header name (lower case) -> value.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string peer;  // "ipv4:10.1.2.3" (no port), as gRPC names peers

  // The header's value, "" when absent.
  std::string Header(const std::string& lower_case_name) const;
};

// The body of a streamed response (Server-Sent Events), written piece by
// piece as it comes; thread-safe.
class HttpBodyWriter {
 public:
  virtual ~HttpBodyWriter() = default;
  // Writes `piece`, one at a time: `done` (on any thread) with true once
  // it is written, or false when the connection closed first.
  virtual void Write(std::string piece, std::function<void(bool)> done) = 0;
  // Ends the body and the connection.
  virtual void End() = 0;
  // `closed` runs once if the connection closes before End (the client
  // went away, stopped reading for too long, or the server stops).
  virtual void OnClosed(std::function<void()> closed) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a streamed body: the head goes out (chunked, no keep-alive),
  // then `stream` gets the writer of the body. A connection idle for
  // `keepalive` gets `keepalive_piece` (an SSE comment), so that proxies
  // keep it open and a client that left is noticed.
  std::function<void(std::shared_ptr<HttpBodyWriter>)> stream;
  absl::Duration keepalive = absl::Seconds(15);
  std::string keepalive_piece = ":\n\n";
};

// Answers one request; may call `respond` later, from any thread, once.
using HttpHandler = std::function<void(
    HttpRequest request, std::function<void(HttpResponse)> respond)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // port 0: any
  int max_connections = 10'000;           // beyond, new connections are closed
  size_t max_body_bytes = 8 << 20;        // beyond: 413
  size_t max_header_bytes = 16 << 10;     // beyond: 431
  // A new connection must send its request head within header_timeout; a
  // kept-alive one may wait idle_timeout for its next; a body must arrive
  // within body_timeout; an answer must be taken within body_timeout.
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Minutes(2);
  absl::Duration body_timeout = absl::Seconds(30);
  int threads = 2;
};

class HttpSession;

class HttpServer {
 public:
  // Listens and serves on its own threads.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpServerOptions options, HttpHandler handler);
  ~HttpServer();

  int port() const;
  int open_connections() const;
  // Takes no new connections; those open are served on.
  void StopAccepting();
  // Stops accepting and closes every connection; idempotent.
  void Stop();

 private:
  friend class HttpSession;
  struct Core;
  explicit HttpServer(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_HTTP_SERVER_H_
