// libmosquitto driven by Asio readiness waits.
//
// libmosquitto owns the socket and the protocol; we own the loop. The socket
// is watched through a non-owning stream_descriptor: readable -> loop_read,
// writable (when libmosquitto wants to write) -> loop_write, a timer ->
// loop_misc (keep-alive). libmosquitto closes the socket itself on errors and
// then calls on_disconnect; every call is followed by sync_socket(), which
// notices a socket that went away (also without a callback, as happens when a
// TLS handshake fails) and releases the descriptor before anything else can
// reuse the fd number.
#include "usp/mtp/mqtt_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <unordered_set>

#include <mutex>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "mqtt_properties.hpp"
#include "socket_reads.hpp"
#include "usp/log.hpp"

namespace usp::mtp {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

class mqtt_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "usp.mqtt"; }
  std::string message(int ev) const override {
    switch (static_cast<mqtt_errc>(ev)) {
      case mqtt_errc::not_connected: return "MQTT client is not connected";
      case mqtt_errc::inflight_full: return "too many QoS 1 publishes await PUBACK";
      case mqtt_errc::bad_argument: return "invalid MQTT argument";
    }
    return "unknown MQTT error";
  }
};

class mosquitto_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mosquitto"; }
  std::string message(int ev) const override { return mosquitto_strerror(ev); }
};

error_code mosq_error(int rc) { return {rc, mosquitto_category()}; }

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

const boost::system::error_category& mqtt_category() noexcept {
  static const mqtt_category_impl c;
  return c;
}

const boost::system::error_category& mosquitto_category() noexcept {
  static const mosquitto_category_impl c;
  return c;
}

std::string_view to_string(mqtt_state s) noexcept {
  switch (s) {
    case mqtt_state::idle: return "idle";
    case mqtt_state::resolving: return "resolving";
    case mqtt_state::connecting: return "connecting";
    case mqtt_state::connected: return "connected";
    case mqtt_state::waiting_retry: return "waiting_retry";
    case mqtt_state::stopped: return "stopped";
  }
  return "unknown";
}

struct mqtt_client::impl : std::enable_shared_from_this<mqtt_client::impl> {
  impl(asio::any_io_executor ex, mqtt_options o, handlers h)
      : opts(std::move(o)),
        cb(std::move(h)),
        resolver(ex),
        socket(ex),
        misc_timer(ex),
        retry_timer(ex),
        connect_timer(ex),
        retry(opts.retry),
        log(usp::log::get("mqtt")) {}

  ~impl() {
    if (socket_registered) (void)socket.release();  // libmosquitto closes the fd
    if (mosq) mosquitto_destroy(mosq);
  }

  // ---- set-up ------------------------------------------------------------

  void create_handle() {
    init_library_once();
    const bool v5 = opts.version == mqtt_version::v5;
    std::string id = opts.client_id;
    if (id.empty() && !v5) id = opts.endpoint_id;  // R-MQTT.8: 3.1.1 uses the EID
    if (id.empty() && !v5) throw std::runtime_error("MQTT 3.1.1 needs a client id or an endpoint id");
    if (id.empty() && !opts.clean_start) {
      throw std::runtime_error("a persistent MQTT session needs a client id");
    }
    client_id = id;
    mosq = mosquitto_new(id.empty() ? nullptr : id.c_str(), opts.clean_start, this);
    if (!mosq) throw std::runtime_error("cannot create an MQTT client");
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
    if (!opts.username.empty()) {
      mosquitto_username_pw_set(mosq, opts.username.c_str(),
                                opts.password.empty() ? nullptr : opts.password.c_str());
    }
    if (opts.tls) {
      tls_ctx.emplace(make_client_context(*opts.tls));
      bind_context_to_host(*tls_ctx, opts.host);
      mosquitto_void_option(mosq, MOSQ_OPT_SSL_CTX, tls_ctx->native_handle());
      mosquitto_int_option(mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
    }
    if (v5) {
      auto props = make_connect_properties(opts);
      if (const int rc = store_connect_properties(mosq, props.get(), opts.keepalive_s); rc != MOSQ_ERR_SUCCESS) {
        throw std::runtime_error(std::string("invalid MQTT CONNECT properties: ") + mosquitto_strerror(rc));
      }
    }
    sync_log_callback();
    mosquitto_connect_v5_callback_set(mosq, &impl::on_connect_cb);
    mosquitto_disconnect_v5_callback_set(mosq, &impl::on_disconnect_cb);
    mosquitto_message_v5_callback_set(mosq, &impl::on_message_cb);
    mosquitto_subscribe_v5_callback_set(mosq, &impl::on_subscribe_cb);
    mosquitto_publish_v5_callback_set(mosq, &impl::on_publish_cb);
  }

  // libmosquitto's own diagnostics (e.g. why a TLS handshake failed) go to
  // our log, at a level matching theirs. With a callback set it formats a
  // line (malloc, vsnprintf) for every packet it sends or receives, whatever
  // its level: 3 % of usp-agent's CPU answering Gets. A plain TCP session
  // that is up, logged above debug, has nothing else to say (its errors end
  // the session, which we log), so it goes without.
  void sync_log_callback() {
    const bool want = !session_up || opts.tls || log->should_log(spdlog::level::debug);
    if (want == log_callback_set) return;
    mosquitto_log_callback_set(mosq, want ? &impl::on_log_cb : nullptr);
    log_callback_set = want;
  }

  // ---- connecting ----------------------------------------------------------

  void start() {
    if (st == mqtt_state::resolving || st == mqtt_state::connecting || st == mqtt_state::connected) return;
    retry_timer.cancel();
    st = mqtt_state::resolving;
    resolver.async_resolve(opts.host, std::to_string(opts.port),
                           [self = shared_from_this(), gen = generation](const error_code& ec, auto results) {
                             if (gen != self->generation || self->st != mqtt_state::resolving) return;
                             if (ec || results.empty()) {
                               self->attempt_failed(ec ? ec : make_error_code(mqtt_errc::not_connected));
                               return;
                             }
                             self->connect_to(results.begin()->endpoint());
                           });
  }

  void connect_to(const asio::ip::tcp::endpoint& ep) {
    st = mqtt_state::connecting;
    const auto addr = ep.address().to_string();
    errno = 0;
    const int rc = mosquitto_connect_bind_async(mosq, addr.c_str(), ep.port(), opts.keepalive_s, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      attempt_failed(rc == MOSQ_ERR_ERRNO ? error_code(errno, boost::system::system_category()) : mosq_error(rc));
      return;
    }
    watch_socket();
    connect_timer.expires_after(opts.connect_timeout);
    connect_timer.async_wait([self = shared_from_this(), gen = generation](const error_code& ec) {
      if (ec || gen != self->generation || self->st != mqtt_state::connecting) return;
      self->log->warn("no CONNACK from {}:{} within {}s", self->opts.host, self->opts.port,
                      self->opts.connect_timeout.count());
      self->abort_connection();
    });
  }

  // A failed attempt (resolve, connect, TLS, CONNACK refusal, timeout).
  void attempt_failed(const error_code& ec) {
    ++stats.connect_failures;
    log->warn("MQTT connect to {}:{} failed: {}", opts.host, opts.port, ec.message());
    schedule_retry();
    if (cb.on_disconnected) cb.on_disconnected(ec);
  }

  void schedule_retry() {
    if (st == mqtt_state::stopped) return;
    st = mqtt_state::waiting_retry;
    const auto wait = retry.next_wait();  // R-MQTT.10 / R-MQTT.33
    log->info("MQTT retry {} to {}:{} in {} ms", retry.count(), opts.host, opts.port, wait.count());
    retry_timer.expires_after(wait);
    retry_timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->st != mqtt_state::waiting_retry) return;
      self->start();
    });
  }

  // Ends the current connection from outside libmosquitto's callbacks. A
  // live session gets a DISCONNECT (R-MQTT.35), which libmosquitto writes at
  // once and follows with on_disconnect. A connection still being set up (or
  // broken) cannot carry one: libmosquitto would hold the packet behind a
  // TLS handshake that never ends. We shut that socket down ourselves; the
  // next connect, or mosquitto_destroy, closes the fd.
  void close_connection(const error_code& why) {
    if (!socket_registered) return;
    if (session_up) {
      mosquitto_disconnect(mosq);
      sync_socket(why);
      if (!socket_registered) return;
    }
    ::shutdown(registered_fd, SHUT_RDWR);
    release_socket();
    if (!disconnect_reported) handle_disconnect(why);
  }

  void abort_connection() { close_connection(mosq_error(MOSQ_ERR_CONN_LOST)); }

  // ---- the loop ------------------------------------------------------------

  void watch_socket() {
    const int fd = mosquitto_socket(mosq);
    if (fd < 0) return;
    error_code ec;
    socket.assign(fd, ec);
    if (ec) {
      log->error("cannot watch MQTT socket: {}", ec.message());
      abort_connection();
      return;
    }
    registered_fd = fd;
    socket_registered = true;
    reads.attach(fd);
    disconnect_reported = false;
    ++generation;
    arm_read();
    arm_write_if_wanted();
    arm_misc_timer();
  }

  void arm_read() {
    if (!socket_registered || read_armed) return;
    read_armed = true;
    if (reads.buffered() > 0) {
      // Bytes already read from the kernel raise no readiness notice.
      asio::post(socket.get_executor(), [self = shared_from_this(), gen = generation] {
        if (gen != self->generation) return;
        self->read_armed = false;
        self->on_readable();
      });
      return;
    }
    socket.async_wait(asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this(), gen = generation](const error_code& ec) {
                        if (gen != self->generation) return;
                        self->read_armed = false;
                        if (ec) return;
                        self->on_readable();
                      });
  }

  void arm_write_if_wanted() {
    if (!socket_registered || write_armed || !mosquitto_want_write(mosq)) return;
    write_armed = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_write,
                      [self = shared_from_this(), gen = generation](const error_code& ec) {
                        if (gen != self->generation) return;
                        self->write_armed = false;
                        if (ec) return;
                        self->on_writable();
                      });
  }

  void arm_misc_timer() {
    // loop_misc sends PINGREQ and notices a missing PINGRESP; a quarter of
    // the keep-alive keeps pings within 1.25 x KeepAliveTime (TP 11.7: 1.5 x).
    const auto period = std::chrono::seconds(std::max<int>(1, opts.keepalive_s / 4));
    misc_timer.expires_after(period);
    misc_timer.async_wait([self = shared_from_this(), gen = generation](const error_code& ec) {
      if (ec || gen != self->generation || !self->socket_registered) return;
      self->sync_log_callback();  // the log level may have changed
      mosquitto_loop_misc(self->mosq);
      self->after_io();
      self->arm_misc_timer();
    });
  }

  bool connect_pending_failed() {
    // A refused TCP connect under TLS leaves libmosquitto retrying the
    // handshake forever (SSL_ERROR_SYSCALL); ask the socket instead.
    if (st != mqtt_state::connecting) return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(registered_fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) {
      log->warn("MQTT connect to {}:{} failed: {}", opts.host, opts.port, std::strerror(err));
      abort_connection();
      return true;
    }
    return false;
  }

  // Batching: while corked the kernel gathers our writes into full segments;
  // the uncork, posted to the end of this turn of the event loop, sends them
  // at once. With many requests in flight this turns one TCP segment (and on
  // loopback one wake-up of the peer) per message into one per burst.
  void cork() {
    if (corked || !socket_registered || st != mqtt_state::connected) return;
    const int one = 1;
    if (setsockopt(registered_fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one) != 0) return;
    corked = true;
    asio::post(socket.get_executor(), [self = shared_from_this(), gen = generation] {
      if (gen == self->generation) self->uncork();
    });
  }

  void uncork() {
    if (!corked) return;
    corked = false;
    if (!socket_registered) return;
    if (mosquitto_want_write(mosq)) mosquitto_loop_write(mosq, 1);
    const int zero = 0;
    setsockopt(registered_fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
    after_io();
  }

  void on_readable() {
    if (connect_pending_failed()) return;
    cork();  // answers written by the handlers leave together
    // loop_read handles a few packets per call; keep reading until the
    // kernel has no more, so a burst costs one wake-up, not one per packet.
    reads.begin_batch();
    for (int round = 0; round < 64; ++round) {
      mosquitto_loop_read(mosq, 1);
      sync_socket(mosq_error(MOSQ_ERR_CONN_LOST));
      if (!socket_registered) return;
      if (reads.buffered() == 0 && reads.drained()) break;
    }
    reads.end_batch();
    after_io();
  }

  void on_writable() {
    if (connect_pending_failed()) return;
    // During the TLS handshake libmosquitto advances it only from loop_read.
    if (opts.tls && st == mqtt_state::connecting) mosquitto_loop_read(mosq, 1);
    if (socket_registered) mosquitto_loop_write(mosq, 1);
    after_io();
  }

  void after_io() {
    sync_socket(mosq_error(MOSQ_ERR_CONN_LOST));
    if (!socket_registered) return;
    arm_read();
    arm_write_if_wanted();
  }

  // Notices that libmosquitto closed the socket and releases our watch.
  void sync_socket(const error_code& why) {
    if (!socket_registered || mosquitto_socket(mosq) == registered_fd) return;
    release_socket();
    if (!disconnect_reported) handle_disconnect(why);
  }

  void release_socket() {
    if (!socket_registered) return;
    socket_registered = false;
    session_up = false;
    sync_log_callback();
    corked = false;
    ++generation;  // stale waits and timers become no-ops
    (void)socket.release();
    reads.detach();
    read_armed = write_armed = false;
    misc_timer.cancel();
    connect_timer.cancel();
  }

  void handle_disconnect(const error_code& why) {
    disconnect_reported = true;
    const bool was_connected = st == mqtt_state::connected;
    inflight_qos1 = 0;  // libmosquitto re-sends them on reconnect; we stop counting
    if (was_connected) {
      ++stats.disconnects;
      log->warn("MQTT connection to {}:{} lost: {}", opts.host, opts.port, why.message());
    }
    if (st == mqtt_state::stopped) {
      if (cb.on_disconnected) cb.on_disconnected(why);
      return;
    }
    if (was_connected) {
      schedule_retry();
      if (cb.on_disconnected) cb.on_disconnected(why);
    } else {
      attempt_failed(why);
    }
  }

  // ---- libmosquitto callbacks (called inside loop_read/write/misc) ----------

  static void on_log_cb(mosquitto*, void* obj, int level, const char* text) {
    auto& lg = static_cast<impl*>(obj)->log;
    // The socket pair only wakes mosquitto_loop(), which we never call; a
    // fleet of agents goes without it (agent/src/fleet_socketpair.cpp).
    if (std::string_view(text).find("Unable to open socket pair") != std::string_view::npos) {
      lg->debug("libmosquitto: {}", text);
    } else if (level & MOSQ_LOG_ERR) {
      lg->error("libmosquitto: {}", text);
    } else if (level & MOSQ_LOG_WARNING) {
      lg->warn("libmosquitto: {}", text);
    } else if (level & (MOSQ_LOG_NOTICE | MOSQ_LOG_INFO)) {
      lg->debug("libmosquitto: {}", text);
    } else {
      lg->trace("libmosquitto: {}", text);
    }
  }

  static void on_connect_cb(mosquitto*, void* obj, int rc, int flags, const mosquitto_property* props) {
    static_cast<impl*>(obj)->on_connect(rc, flags, props);
  }
  static void on_disconnect_cb(mosquitto*, void* obj, int rc, const mosquitto_property*) {
    auto* self = static_cast<impl*>(obj);
    self->release_socket();
    self->handle_disconnect(rc == MOSQ_ERR_SUCCESS ? error_code() : mosq_error(rc));
  }
  static void on_message_cb(mosquitto*, void* obj, const mosquitto_message* m, const mosquitto_property* props) {
    static_cast<impl*>(obj)->on_message(m, props);
  }
  static void on_subscribe_cb(mosquitto*, void* obj, int mid, int count, const int* granted,
                              const mosquitto_property*) {
    auto* self = static_cast<impl*>(obj);
    if (self->cb.on_subscribed) self->cb.on_subscribed(mid, std::vector<int>(granted, granted + count));
  }
  static void on_publish_cb(mosquitto*, void* obj, int mid, int /*reason*/, const mosquitto_property*) {
    auto* self = static_cast<impl*>(obj);
    if (self->inflight_qos1 > 0 && self->qos1_mids.erase(mid) > 0) --self->inflight_qos1;
    if (self->cb.on_published) self->cb.on_published(mid);
  }

  void on_connect(int rc, int flags, const mosquitto_property* props) {
    if (rc != 0) {
      // CONNACK refusal: libmosquitto closes the socket after this returns.
      log->warn("MQTT broker {}:{} refused the connection: {}", opts.host, opts.port,
                mosquitto_reason_string(rc));
      return;
    }
    connect_timer.cancel();
    st = mqtt_state::connected;
    session_up = true;
    disconnect_reported = false;
    retry.reset();
    ++stats.connects;
    connack = read_connack_properties(props);
    connack.session_present = (flags & 1) != 0;
    if (!connack.assigned_client_id.empty()) client_id = connack.assigned_client_id;
    log->info("MQTT connected to {}:{} as '{}'", opts.host, opts.port, client_id);
    sync_log_callback();
    if (cb.on_connected) cb.on_connected(connack);
  }

  void on_message(const mosquitto_message* m, const mosquitto_property* props) {
    ++stats.received;
    if (!cb.on_message) return;
    const auto pv = read_publish_properties(props);
    mqtt_message msg;
    msg.topic = m->topic ? std::string_view(m->topic) : std::string_view();
    msg.payload = std::string_view(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
    msg.response_topic = pv.response_topic;
    msg.content_type = pv.content_type;
    msg.qos = m->qos;
    msg.retain = m->retain;
    cb.on_message(msg);
  }

  // ---- state ---------------------------------------------------------------

  mqtt_options opts;
  handlers cb;
  asio::ip::tcp::resolver resolver;
  asio::posix::stream_descriptor socket;
  asio::steady_timer misc_timer;
  asio::steady_timer retry_timer;
  asio::steady_timer connect_timer;
  usp::retry_state retry;
  std::shared_ptr<spdlog::logger> log;
  std::optional<asio::ssl::context> tls_ctx;
  mosquitto* mosq = nullptr;
  mqtt_state st = mqtt_state::idle;
  std::string client_id;
  connack_info connack;
  mqtt_stats stats;
  std::unordered_set<int> qos1_mids;
  socket_reads reads;  // libmosquitto's reads of the registered socket
  std::size_t inflight_qos1 = 0;
  int registered_fd = -1;
  std::uint64_t generation = 0;
  bool socket_registered = false;
  bool session_up = false;  // CONNACK accepted on the current socket
  bool corked = false;
  bool log_callback_set = false;
  bool read_armed = false;
  bool write_armed = false;
  bool disconnect_reported = true;
};

mqtt_client::mqtt_client(asio::any_io_executor ex, mqtt_options opts, handlers h)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts), std::move(h))) {
  impl_->create_handle();
}

mqtt_client::~mqtt_client() {
  // Handlers must not run once the owner is gone; the DISCONNECT is posted
  // because the owner may be going away inside one of our handlers, where
  // libmosquitto must not be re-entered.
  impl_->cb = {};
  impl_->st = mqtt_state::stopped;
  impl_->resolver.cancel();
  impl_->retry_timer.cancel();
  asio::post(impl_->socket.get_executor(), [i = impl_] { i->close_connection(error_code()); });
}

void mqtt_client::start() {
  if (impl_->st == mqtt_state::stopped) impl_->st = mqtt_state::idle;
  impl_->start();
}

void mqtt_client::stop(std::function<void()> closed) {
  // Posted: libmosquitto must not be disconnected from inside its callbacks
  // (it takes its callback mutex again).
  asio::post(impl_->socket.get_executor(), [i = impl_, closed = std::move(closed)] {
    i->st = mqtt_state::stopped;
    i->resolver.cancel();
    i->retry_timer.cancel();
    i->close_connection(error_code());  // R-MQTT.35: written before this returns
    if (closed) asio::post(i->socket.get_executor(), closed);
  });
}

void mqtt_client::force_reconnect() {
  asio::post(impl_->socket.get_executor(), [i = impl_] {
    if (i->st == mqtt_state::stopped) return;
    if (i->socket_registered) {
      i->abort_connection();
    } else {
      i->retry.reset();
      i->st = mqtt_state::idle;
      i->start();
    }
  });
}

std::optional<int> mqtt_client::subscribe(const std::vector<std::string>& filters, int qos, error_code& ec) {
  auto& i = *impl_;
  if (i.st != mqtt_state::connected) {
    ec = mqtt_errc::not_connected;
    return std::nullopt;
  }
  if (filters.empty() || qos < 0 || qos > 2) {
    ec = mqtt_errc::bad_argument;
    return std::nullopt;
  }
  std::vector<char*> topics;
  topics.reserve(filters.size());
  for (const auto& f : filters) topics.push_back(const_cast<char*>(f.c_str()));
  int mid = 0;
  const int rc = mosquitto_subscribe_multiple(i.mosq, &mid, static_cast<int>(topics.size()), topics.data(), qos, 0,
                                              nullptr);
  i.after_io();
  if (rc != MOSQ_ERR_SUCCESS) {
    ec = mosq_error(rc);
    return std::nullopt;
  }
  ec = {};
  return mid;
}

std::optional<int> mqtt_client::unsubscribe(const std::vector<std::string>& filters, error_code& ec) {
  auto& i = *impl_;
  if (i.st != mqtt_state::connected) {
    ec = mqtt_errc::not_connected;
    return std::nullopt;
  }
  std::vector<char*> topics;
  for (const auto& f : filters) topics.push_back(const_cast<char*>(f.c_str()));
  int mid = 0;
  const int rc = mosquitto_unsubscribe_multiple(i.mosq, &mid, static_cast<int>(topics.size()), topics.data(), nullptr);
  i.after_io();
  if (rc != MOSQ_ERR_SUCCESS) {
    ec = mosq_error(rc);
    return std::nullopt;
  }
  ec = {};
  return mid;
}

bool mqtt_client::publish(const publish_request& req, error_code& ec) {
  auto& i = *impl_;
  if (i.st != mqtt_state::connected) {
    ++i.stats.publish_refused;
    ec = mqtt_errc::not_connected;
    return false;
  }
  if (req.qos > 0 && i.inflight_qos1 >= i.opts.max_inflight) {
    ++i.stats.publish_refused;
    ec = mqtt_errc::inflight_full;
    return false;
  }
  const std::string topic(req.topic);
  i.cork();
  property_list props;
  if (i.opts.version == mqtt_version::v5) props = make_publish_properties(req);
  int mid = 0;
  const int rc = mosquitto_publish_v5(i.mosq, &mid, topic.c_str(), static_cast<int>(req.payload.size()),
                                      req.payload.data(), req.qos, req.retain, props.get());
  if (rc != MOSQ_ERR_SUCCESS) {
    ++i.stats.publish_refused;
    ec = mosq_error(rc);
    i.after_io();
    return false;
  }
  ++i.stats.published;
  if (req.qos > 0) {
    i.qos1_mids.insert(mid);
    ++i.inflight_qos1;
  }
  i.after_io();
  ec = {};
  return true;
}

mqtt_state mqtt_client::state() const noexcept { return impl_->st; }
const std::string& mqtt_client::client_id() const noexcept { return impl_->client_id; }
const connack_info& mqtt_client::connack() const noexcept { return impl_->connack; }
std::uint32_t mqtt_client::retry_count() const noexcept { return impl_->retry.count(); }
std::size_t mqtt_client::inflight() const noexcept { return impl_->inflight_qos1; }
const mqtt_stats& mqtt_client::stats() const noexcept { return impl_->stats; }
const mqtt_options& mqtt_client::options() const noexcept { return impl_->opts; }

}  // namespace usp::mtp
