#include "services/http/http_server.h"

#include <atomic>
#include <deque>
#include <utility>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "glog/logging.h"

namespace plaudit {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration Chrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

std::string PeerOf(const tcp::socket& socket) {
  boost::system::error_code error;
  const tcp::endpoint remote = socket.remote_endpoint(error);
  if (error) return absl::StrCat("unknown (", error.message(), ")");
  const auto address = remote.address();
  return address.is_v6() ? absl::StrCat("ipv6:[", address.to_string(), "]")
                         : absl::StrCat("ipv4:", address.to_string());
}

}  // namespace

std::string HttpRequest::Header(const std::string& lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return "";
}

struct HttpServer::Core : std::enable_shared_from_this<HttpServer::Core> {
  Core(HttpServerOptions o, HttpHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        acceptor(net::make_strand(io)),
        retry(acceptor.get_executor()) {}

  void Accept();
  void Forget(HttpSession* session);

  const HttpServerOptions options;
  const HttpHandler handler;
  net::io_context io;
  tcp::acceptor acceptor;   // on its own strand: Stop closes it there
  net::steady_timer retry;  // after a failed accept (EMFILE)
  std::vector<std::thread> threads;
  std::atomic<int> connections{0};
  std::atomic<bool> stopped{false};
  absl::Mutex mu;
  // Every open connection, held here so that none outlives the io_context.
  absl::flat_hash_map<HttpSession*, std::shared_ptr<HttpSession>> sessions
      ABSL_GUARDED_BY(mu);
};

// One connection: reads a request, hands it to the handler, writes the
// answer, and reads the next while keep-alive lasts. A streamed answer
// (HttpResponse::stream) is written piece by piece until it ends or the
// client goes away; the connection closes after it.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, HttpServer::Core* core)
      : peer_(PeerOf(socket)),
        stream_(std::move(socket)),
        core_(core),
        keepalive_timer_(stream_.get_executor()) {}

  void Start() { ReadHead(core_->options.header_timeout); }

  void Close() {
    net::post(stream_.get_executor(),
              [self = shared_from_this()] { self->Shutdown(); });
  }

  void ReadHead(absl::Duration timeout) {
    parser_.emplace();
    parser_->body_limit(core_->options.max_body_bytes);
    parser_->header_limit(
        static_cast<std::uint32_t>(core_->options.max_header_bytes));
    stream_.expires_after(Chrono(timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) {
          self->OnHead(error);
        });
  }

  void OnHead(beast::error_code error) {
    if (error) return Fail(error);
    stream_.expires_after(Chrono(core_->options.body_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code e, size_t) {
                       self->OnRequest(e);
                     });
  }

  void OnRequest(beast::error_code error) {
    if (error) return Fail(error);
    stream_.expires_never();  // the handler's deadline bounds the wait
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = std::move(message.body());
    for (const auto& field : message) {
      request.headers.emplace_back(
          absl::AsciiStrToLower(std::string(field.name_string())),
          std::string(field.value()));
    }
    request.peer = peer_;
    std::weak_ptr<HttpServer::Core> core = core_->shared_from_this();
    std::weak_ptr<HttpSession> session = shared_from_this();
    auto executor = stream_.get_executor();
    core_->handler(std::move(request), [core, session,
                                        executor](HttpResponse response) {
      // The server may have stopped meanwhile: then nobody is waiting.
      const std::shared_ptr<HttpServer::Core> alive = core.lock();
      if (alive == nullptr || alive->stopped) return;
      net::post(executor, [session, response = std::move(response)]() mutable {
        if (auto self = session.lock()) self->Write(std::move(response));
      });
    });
  }

  // A request the parser refused: answered when there is something to say.
  void Fail(beast::error_code error) {
    if (error == http::error::end_of_stream) return Shutdown();  // a close
    if (error == http::error::body_limit) {
      return WriteError(413, "the request body is larger than the limit");
    }
    if (error == http::error::header_limit) {
      return WriteError(431, "the request head is larger than the limit");
    }
    if (error.category() ==
        http::make_error_code(http::error::bad_target).category()) {
      return WriteError(400, "malformed HTTP request");
    }
    Shutdown();  // closed, timed out, reset: nobody to answer
  }

  void WriteError(int status, const std::string& message) {
    keep_alive_ = false;
    linger_ = true;  // the client may still be sending what we refused
    HttpResponse response;
    response.status = status;
    response.body =
        absl::StrCat("{\"error\":{\"code\":", status,
                     ",\"status\":\"INVALID_ARGUMENT\",\"message\":\"", message,
                     "\",\"details\":[]}}");
    Write(std::move(response));
  }

  // A piece of a streamed body, queued on the connection's strand.
  struct Piece {
    std::string text;
    std::function<void(bool)> done;  // may be empty
    bool last = false;               // the end of the body
  };

  // On the strand: queues a piece of the streamed body.
  void Enqueue(Piece piece) {
    if (closed_) {
      if (piece.done) piece.done(false);
      return;
    }
    pieces_.push_back(std::move(piece));
    WriteNextPiece();
  }

  // On the strand: `closed` runs when the connection closes before the
  // body's end (at once if it has).
  void WhenClosed(std::function<void()> closed) {
    if (closed_) {
      if (!ended_) closed();
      return;
    }
    on_closed_ = std::move(closed);
  }

 private:
  class BodyWriter;

  void Write(HttpResponse response) {
    if (response.stream) return StartStream(std::move(response));
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    message->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      message->set(name, value);
    }
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    stream_.expires_after(Chrono(core_->options.body_timeout));
    http::async_write(
        stream_, *message,
        [self = shared_from_this(), message](beast::error_code error, size_t) {
          if (!error && self->linger_) return self->Linger();
          if (error || !self->keep_alive_) return self->Shutdown();
          self->ReadHead(self->core_->options.idle_timeout);
        });
  }

  // The head of a streamed answer (chunked), then its writer to the
  // handler.
  void StartStream(HttpResponse response) {
    keep_alive_ = false;
    auto head = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), 11);
    head->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) head->set(name, value);
    head->keep_alive(false);
    head->chunked(true);
    auto serializer =
        std::make_shared<http::response_serializer<http::empty_body>>(*head);
    keepalive_ = response.keepalive;
    keepalive_piece_ = std::move(response.keepalive_piece);
    stream_.expires_after(Chrono(core_->options.body_timeout));
    http::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), head, serializer,
         start = std::move(response.stream)](beast::error_code error, size_t) {
          if (error) return self->Shutdown();
          self->stream_.expires_never();
          self->NoticeClose();
          self->ArmKeepalive();
          self->HandOver(start);
        });
  }

  // Gives the handler the body's writer (defined below).
  void HandOver(
      const std::function<void(std::shared_ptr<HttpBodyWriter>)>& start);

  // While a body streams the client sends nothing: a read that ends tells
  // that it went away.
  void NoticeClose() {
    stream_.async_read_some(
        net::buffer(drain_),
        [self = shared_from_this()](beast::error_code error, size_t) {
          if (error) return self->Shutdown();
          self->NoticeClose();
        });
  }

  void ArmKeepalive() {
    if (keepalive_ <= absl::ZeroDuration()) return;
    keepalive_timer_.expires_after(Chrono(keepalive_));
    keepalive_timer_.async_wait(
        [self = shared_from_this()](beast::error_code error) {
          if (error || self->closed_) return;
          if (!self->wrote_since_keepalive_ && self->pieces_.empty() &&
              !self->writing_piece_) {
            self->Enqueue({self->keepalive_piece_, nullptr, false});
          }
          self->wrote_since_keepalive_ = false;
          self->ArmKeepalive();
        });
  }

  void WriteNextPiece() {
    if (writing_piece_ || pieces_.empty() || closed_) return;
    writing_piece_ = true;
    auto piece = std::make_shared<Piece>(std::move(pieces_.front()));
    pieces_.pop_front();
    // A client that stops reading is closed once a piece waits this long.
    stream_.expires_after(Chrono(core_->options.body_timeout));
    auto written = [self = shared_from_this(), piece](beast::error_code error,
                                                      size_t) {
      self->writing_piece_ = false;
      if (error || piece->last) {
        if (piece->last && !error) self->ended_ = true;
        if (piece->done) piece->done(!error);
        return self->Shutdown();
      }
      self->stream_.expires_never();
      self->wrote_since_keepalive_ = true;
      if (piece->done) piece->done(true);
      self->WriteNextPiece();
    };
    if (piece->last) {
      net::async_write(stream_, http::make_chunk_last(), std::move(written));
    } else {
      net::async_write(stream_, http::make_chunk(net::buffer(piece->text)),
                       std::move(written));
    }
  }

  // Closes our side, then reads and drops what the client still sends for
  // a while, so that it reads our answer instead of a connection reset.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(5));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(
        net::buffer(drain_),
        [self = shared_from_this()](beast::error_code error, size_t) {
          if (error) return self->Shutdown();
          self->Drain();
        });
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    keepalive_timer_.cancel();
    for (Piece& piece : pieces_) {
      if (piece.done) piece.done(false);
    }
    pieces_.clear();
    if (on_closed_ && !ended_) std::exchange(on_closed_, nullptr)();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    core_->Forget(this);
  }

  const std::string peer_;
  beast::tcp_stream stream_;
  HttpServer::Core* const core_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool linger_ = false;
  bool closed_ = false;
  char drain_[16 << 10];
  // A streamed body.
  std::deque<Piece> pieces_;
  bool writing_piece_ = false;
  bool ended_ = false;  // its last piece written
  std::function<void()> on_closed_;
  net::steady_timer keepalive_timer_;
  absl::Duration keepalive_;
  std::string keepalive_piece_;
  bool wrote_since_keepalive_ = false;
};

// Hands the handler's pieces to the session's strand; once the session is
// gone, every write fails.
class HttpSession::BodyWriter final : public HttpBodyWriter {
 public:
  explicit BodyWriter(const std::shared_ptr<HttpSession>& session)
      : session_(session),
        core_(session->core_->shared_from_this()),
        executor_(session->stream_.get_executor()) {}

  void Write(std::string piece, std::function<void(bool)> done) override {
    Post([piece = std::move(piece), done](HttpSession* session) mutable {
      if (session == nullptr) return done(false);
      session->Enqueue({std::move(piece), std::move(done), false});
    });
  }

  void End() override {
    Post([](HttpSession* session) {
      if (session != nullptr) session->Enqueue({"", nullptr, true});
    });
  }

  void OnClosed(std::function<void()> closed) override {
    Post([closed = std::move(closed)](HttpSession* session) mutable {
      if (session == nullptr) return closed();
      session->WhenClosed(std::move(closed));
    });
  }

 private:
  // Runs `f` on the session's strand; with no session once the server is
  // gone (its io_context may be gone too: nothing is posted to it then).
  template <typename F>
  void Post(F f) {
    const std::shared_ptr<HttpServer::Core> core = core_.lock();
    if (core == nullptr || core->stopped) return f(nullptr);
    net::post(executor_, [session = session_, f = std::move(f)]() mutable {
      const std::shared_ptr<HttpSession> alive = session.lock();
      f(alive.get());
    });
  }

  std::weak_ptr<HttpSession> session_;
  std::weak_ptr<HttpServer::Core> core_;
  net::any_io_executor executor_;
};

void HttpSession::HandOver(
    const std::function<void(std::shared_ptr<HttpBodyWriter>)>& start) {
  start(std::make_shared<BodyWriter>(shared_from_this()));
}

void HttpServer::Core::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code error,
                                                     tcp::socket socket) {
    if (error) {
      // Out of descriptors, say: wait a little rather than spin.
      if (stopped || error == net::error::operation_aborted) return;
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](beast::error_code) {
        if (!stopped) Accept();
      });
      return;
    }
    if (connections.load() >= options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over the limit: closed as it arrives
    } else {
      auto session = std::make_shared<HttpSession>(std::move(socket), this);
      {
        absl::MutexLock lock(&mu);
        sessions[session.get()] = session;
      }
      ++connections;
      session->Start();
    }
    Accept();
  });
}

void HttpServer::Core::Forget(HttpSession* session) {
  std::shared_ptr<HttpSession> last;  // released outside the lock
  absl::MutexLock lock(&mu);
  auto it = sessions.find(session);
  if (it == sessions.end()) return;
  last = std::move(it->second);
  sessions.erase(it);
  --connections;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    HttpServerOptions options, HttpHandler handler) {
  const size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http_listen: expected host:port, got \"", options.listen, "\""));
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code error;
  const auto address =
      net::ip::make_address(host.empty() ? "0.0.0.0" : host, error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_listen: \"", host, "\" is not an IP address"));
  }
  auto core = std::make_shared<Core>(std::move(options), std::move(handler));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  core->acceptor.open(endpoint.protocol(), error);
  if (!error)
    core->acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (!error) core->acceptor.bind(endpoint, error);
  if (!error)
    core->acceptor.listen(net::socket_base::max_listen_connections, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("http_listen: cannot listen on ",
                                               core->options.listen, ": ",
                                               error.message()));
  }
  core->Accept();
  for (int i = 0; i < std::max(1, core->options.threads); ++i) {
    core->threads.emplace_back([c = core.get()] { c->io.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(core)));
}

HttpServer::HttpServer(std::shared_ptr<Core> core) : core_(std::move(core)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const {
  boost::system::error_code error;
  const auto endpoint = core_->acceptor.local_endpoint(error);
  return error ? 0 : endpoint.port();
}

int HttpServer::open_connections() const { return core_->connections.load(); }

void HttpServer::StopAccepting() {
  net::post(core_->acceptor.get_executor(), [core = core_.get()] {
    beast::error_code ignored;
    core->acceptor.close(ignored);
    core->retry.cancel();
  });
}

void HttpServer::Stop() {
  if (core_->stopped.exchange(true)) return;
  StopAccepting();
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    absl::MutexLock lock(&core_->mu);
    for (auto& [raw, session] : core_->sessions) open.push_back(session);
  }
  for (auto& session : open) session->Close();
  open.clear();
  // Let the closes run, then stop the loop.
  net::post(core_->io, [core = core_.get()] { core->io.stop(); });
  for (std::thread& thread : core_->threads) thread.join();
  core_->threads.clear();
  absl::MutexLock lock(&core_->mu);
  core_->sessions.clear();
}

}  // namespace plaudit
