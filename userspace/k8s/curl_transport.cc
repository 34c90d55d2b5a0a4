#include "k8s/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <exception>

#include "base/log.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

namespace sluice::k8s {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// curl_global_init is not thread-safe before curl 7.84; a function-local static runs
// it exactly once whichever thread builds the first transport. Never cleaned up: the
// process ends first.
void InitCurlOnce() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) throw TransportError(std::string("curl_global_init: ") + curl_easy_strerror(init));
}

template <typename T>
void SetOption(CURL* easy, CURLoption option, T value) {
  CURLcode rc = curl_easy_setopt(easy, option, value);
  if (rc != CURLE_OK) throw TransportError(std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// "HTTP/1.1 200 OK", "HTTP/2 401": the status code, 0 when unreadable.
long ParseStatus(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string_view code = line.substr(space + 1, 3);
  long status = 0;
  auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  return ec == std::errc() && end == code.data() + code.size() ? status : 0;
}

}  // namespace

std::string CurlTransportOptions::DefaultUserAgent() { return "sluice-agent/" SLUICE_VERSION; }

// An easy handle with the multi handle that drives it. The multi handle owns the
// connection cache, which is why the two stay together in the pool.
struct CurlTransport::Handle {
  struct MultiFree {
    void operator()(CURLM* m) const { curl_multi_cleanup(m); }
  };
  struct EasyFree {
    void operator()(CURL* e) const { curl_easy_cleanup(e); }
  };
  // Declared so that the easy handle is destroyed before its multi handle.
  std::unique_ptr<CURLM, MultiFree> multi{curl_multi_init()};
  std::unique_ptr<CURL, EasyFree> easy{curl_easy_init()};
};

// One request: the caller's callbacks, the response head as curl reports it line by
// line, and what the callbacks saw. Lives on the calling thread's stack; curl's
// callbacks run on that same thread, inside curl_multi_perform.
struct CurlTransport::Exchange {
  ~Exchange() { curl_slist_free_all(headers); }

  const HeadersCallback* on_headers = nullptr;
  const std::function<bool(std::string_view)>* on_data = nullptr;
  std::string* body = nullptr;  // Get collects the body here instead of on_data
  BearerToken* token = nullptr;
  bool may_retry_401 = false;   // the first attempt only
  curl_slist* headers = nullptr;

  long status = 0;
  std::string content_type;
  std::string retry_after;
  bool head_done = false;         // the final (non-1xx) head has been seen
  bool retry_401 = false;         // a 401 answered a token that has since changed: discard, resend
  bool consumer_stopped = false;  // on_data returned false
  std::exception_ptr error;       // thrown by a callback; rethrown once curl is out of the way
  SteadyTime last_byte;           // for the idle timeout
  char error_buffer[CURL_ERROR_SIZE] = {};

  // The blank line after a final head: the caller may see it now, unless it is a 401
  // that a fresh token may turn around.
  void HeadDone() {
    head_done = true;
    if (status == 401 && may_retry_401 && token->Refresh()) {
      retry_401 = true;
      return;
    }
    if (on_headers != nullptr) (*on_headers)(status, content_type, retry_after);
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto& x = *static_cast<Exchange*>(user);
    const size_t n = size * count;
    x.last_byte = std::chrono::steady_clock::now();
    if (x.head_done) return n;  // trailers after a chunked body
    std::string_view line = Trim(std::string_view(data, n));
    try {
      if (line.starts_with("HTTP/")) {
        // A new head: after a 100 Continue, the final one replaces it.
        x.status = ParseStatus(line);
        x.content_type.clear();
        x.retry_after.clear();
      } else if (line.empty()) {
        if (x.status < 100 || x.status >= 200) x.HeadDone();
      } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
        std::string_view name = line.substr(0, colon);
        std::string_view value = Trim(line.substr(colon + 1));
        if (EqualsIgnoreCase(name, "content-type")) x.content_type = value;
        if (EqualsIgnoreCase(name, "retry-after")) x.retry_after = value;
      }
    } catch (...) {
      x.error = std::current_exception();
      return 0;  // anything but n fails the transfer
    }
    return n;
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto& x = *static_cast<Exchange*>(user);
    const size_t n = size * count;
    x.last_byte = std::chrono::steady_clock::now();
    if (x.retry_401) return n;
    try {
      if (x.body != nullptr) {
        x.body->append(data, n);
      } else if (!(*x.on_data)(std::string_view(data, n))) {
        x.consumer_stopped = true;
        return 0;
      }
    } catch (...) {
      x.error = std::current_exception();
      return 0;
    }
    return n;
  }
};

// A handle out of the pool for one call, back into it when the call ends.
class CurlTransport::Checkout {
 public:
  explicit Checkout(CurlTransport& t) : t_(t), handle_(t.Acquire()) {}
  ~Checkout() { t_.Release(std::move(handle_)); }
  Checkout(const Checkout&) = delete;
  Checkout& operator=(const Checkout&) = delete;
  Handle& operator*() { return *handle_; }

 private:
  CurlTransport& t_;
  std::unique_ptr<Handle> handle_;
};

struct CurlTransport::RunResult {
  enum How { kFinished, kCancelled, kIdle } how = kFinished;
  CURLcode code = CURLE_OK;  // for kFinished
};

CurlTransport::CurlTransport(ClusterConfig config, CurlTransportOptions options)
    : config_(std::move(config)), options_(std::move(options)), token_(config_.token, config_.token_file) {
  InitCurlOnce();
}

CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransport::Handle> CurlTransport::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<Handle>();
  if (!handle->multi || !handle->easy) throw TransportError("curl: cannot create a transfer handle");
  return handle;
}

void CurlTransport::Release(std::unique_ptr<Handle> handle) {
  // The options point into the finished call's Exchange (error buffer, header list,
  // callback data); none may outlive it in the pool.
  curl_easy_reset(handle->easy.get());
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(handle));
}

void CurlTransport::Prepare(Handle& handle, Exchange& x, const std::string& url, const std::string& accept,
                            bool stream) {
  // A handle comes fresh or reset by Release(): every option is set here.
  CURL* e = handle.easy.get();
  SetOption(e, CURLOPT_URL, url.c_str());
  SetOption(e, CURLOPT_HTTPGET, 1L);
  SetOption(e, CURLOPT_PROTOCOLS_STR, "http,https");
  SetOption(e, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  SetOption(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  SetOption(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  if (!stream) SetOption(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  // A watch can be quiet for minutes; keepalive probes find a dead peer that a NAT or
  // a rebooted control-plane node left behind. 30 s as client-go's dialer.
  SetOption(e, CURLOPT_TCP_KEEPALIVE, 1L);
  SetOption(e, CURLOPT_TCP_KEEPIDLE, 30L);
  SetOption(e, CURLOPT_TCP_KEEPINTVL, 30L);
  // A proxy's "200 Connection established" must not be taken for the response head.
  SetOption(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  SetOption(e, CURLOPT_ERRORBUFFER, x.error_buffer);
  SetOption(e, CURLOPT_HEADERFUNCTION, &Exchange::OnHeader);
  SetOption(e, CURLOPT_HEADERDATA, static_cast<void*>(&x));
  SetOption(e, CURLOPT_WRITEFUNCTION, &Exchange::OnBody);
  SetOption(e, CURLOPT_WRITEDATA, static_cast<void*>(&x));

  if (!config_.ca_pem.empty()) {
    curl_blob ca{const_cast<char*>(config_.ca_pem.data()), config_.ca_pem.size(), CURL_BLOB_COPY};
    SetOption(e, CURLOPT_CAINFO_BLOB, &ca);
    // The system's CA directory stays in use next to a CA blob unless it is cleared:
    // only the cluster's CA may vouch for the API server.
    SetOption(e, CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  }
  if (config_.insecure_skip_tls_verify) {
    SetOption(e, CURLOPT_SSL_VERIFYPEER, 0L);
    SetOption(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.client_cert_pem.empty()) {
    curl_blob cert{const_cast<char*>(config_.client_cert_pem.data()), config_.client_cert_pem.size(),
                   CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(config_.client_key_pem.data()), config_.client_key_pem.size(),
                  CURL_BLOB_COPY};
    SetOption(e, CURLOPT_SSLCERT_BLOB, &cert);
    SetOption(e, CURLOPT_SSLCERTTYPE, "PEM");
    SetOption(e, CURLOPT_SSLKEY_BLOB, &key);
    SetOption(e, CURLOPT_SSLKEYTYPE, "PEM");
  }

  auto append = [&x](const std::string& header) {
    curl_slist* next = curl_slist_append(x.headers, header.c_str());
    if (next == nullptr) throw TransportError("curl: out of memory for request headers");
    x.headers = next;
  };
  if (!accept.empty()) append("Accept: " + accept);
  if (std::string token = token_.Current(); !token.empty()) append("Authorization: Bearer " + token);
  SetOption(e, CURLOPT_HTTPHEADER, x.headers);
}

CurlTransport::RunResult CurlTransport::Run(Handle& handle, Exchange& x, long idle_timeout_ms) {
  CURLM* multi = handle.multi.get();
  if (CURLMcode mc = curl_multi_add_handle(multi, handle.easy.get()); mc != CURLM_OK)
    throw TransportError(std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  // Whatever way the loop ends: Cancel() must no longer see the handle, and removing
  // an unfinished transfer from its multi handle aborts it and closes its connection.
  struct Detach {
    CurlTransport& t;
    Handle& h;
    ~Detach() {
      {
        std::lock_guard lock(t.mu_);
        std::erase(t.in_flight_, &h);
      }
      curl_multi_remove_handle(h.multi.get(), h.easy.get());
    }
  } detach{*this, handle};
  {
    std::lock_guard lock(mu_);
    in_flight_.push_back(&handle);
  }

  const auto idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
  x.last_byte = std::chrono::steady_clock::now();
  for (;;) {
    // Cancel() sets the flag before it wakes the handles it sees, and this handle was
    // registered before this first check: a Cancel() racing the start is not lost.
    if (cancelled_.load()) return {RunResult::kCancelled};
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(multi, &running); mc != CURLM_OK) {
      snprintf(x.error_buffer, sizeof(x.error_buffer), "curl_multi_perform: %s", curl_multi_strerror(mc));
      return {RunResult::kFinished, CURLE_FAILED_INIT};
    }
    if (running == 0) {
      CURLcode code = CURLE_OK;
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued))
        if (msg->msg == CURLMSG_DONE) code = msg->data.result;
      return {RunResult::kFinished, code};
    }
    // Waits for socket activity, curl's own timers or a wakeup from Cancel(); at most
    // until the idle deadline.
    auto wait = std::chrono::milliseconds(1000);
    if (idle_timeout_ms > 0) {
      auto quiet = std::chrono::steady_clock::now() - x.last_byte;
      if (quiet >= idle_timeout) return {RunResult::kIdle};
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(idle_timeout - quiet));
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
}

namespace {

// curl's own words for a failure: the detailed error buffer when it has something.
std::string CurlMessage(const char* error_buffer, CURLcode code) {
  return error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
}

std::string Describe(const std::string& url, const char* error_buffer, CURLcode code) {
  return "GET " + url + ": " + CurlMessage(error_buffer, code);
}

}  // namespace

ApiResponse CurlTransport::Get(const std::string& path_and_query, const std::string& accept) {
  const std::string url = config_.server + path_and_query;
  for (int attempt = 0;; ++attempt) {
    Checkout handle(*this);
    Exchange x;
    std::string body;
    x.body = &body;
    x.token = &token_;
    x.may_retry_401 = attempt == 0;
    Prepare(*handle, x, url, accept, /*stream=*/false);
    RunResult r = Run(*handle, x, /*idle_timeout_ms=*/0);
    if (x.error) std::rethrow_exception(x.error);
    if (r.how == RunResult::kCancelled) throw TransportError("GET " + url + ": cancelled");
    if (x.retry_401) continue;
    if (r.code != CURLE_OK) throw TransportError(Describe(url, x.error_buffer, r.code));
    return ApiResponse{x.status, std::move(x.content_type), std::move(body), std::move(x.retry_after)};
  }
}

StreamEnd CurlTransport::Stream(const std::string& path_and_query, const std::string& accept,
                                long idle_timeout_ms,
                                const HeadersCallback& on_headers,
                                const std::function<bool(std::string_view chunk)>& on_data) {
  const std::string url = config_.server + path_and_query;
  for (int attempt = 0;; ++attempt) {
    Checkout handle(*this);
    Exchange x;
    x.on_headers = &on_headers;
    x.on_data = &on_data;
    x.token = &token_;
    x.may_retry_401 = attempt == 0;
    Prepare(*handle, x, url, accept, /*stream=*/true);
    RunResult r = Run(*handle, x, idle_timeout_ms);
    if (x.error) std::rethrow_exception(x.error);
    if (r.how == RunResult::kCancelled) return StreamEnd::kAborted;
    if (x.retry_401) continue;
    if (r.how == RunResult::kIdle) {
      if (!x.head_done)
        throw TransportError("GET " + url + ": no response within " + std::to_string(idle_timeout_ms) + " ms");
      return StreamEnd::kIdle;
    }
    if (!x.head_done) throw TransportError(Describe(url, x.error_buffer, r.code));
    if (x.consumer_stopped) return StreamEnd::kAborted;
    if (r.code == CURLE_OK) return StreamEnd::kClosed;
    log::Info("API stream broken", {{"url", url}, {"error", CurlMessage(x.error_buffer, r.code)}});
    return StreamEnd::kBroken;
  }
}

void CurlTransport::Cancel() {
  cancelled_.store(true);
  std::lock_guard lock(mu_);
  for (Handle* handle : in_flight_) curl_multi_wakeup(handle->multi.get());
}

}  // namespace sluice::k8s
