#pragma once

// The whole server configuration as plain, immutable-after-load structs. Loaded and validated
// at startup by load_file(), and again by a reload, which compares the new config with the one
// in force (hence the comparisons); every module takes the part it needs by const reference or
// by value in its constructor. Nothing here is global.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::config {

enum class Durability {
  kFsync,  // WAL written and fsynced before a request is acknowledged: survives power loss.
  kWal,    // WAL written, not fsynced: survives a crash of the process, not of the machine.
};

enum class TlsVersion { kTls12, kTls13 };

// [server.tls]: the tracking port speaks HTTPS only. The certificate and key are PEM files,
// re-read on SIGHUP and when they change on disk.
struct TlsConfig {
  bool enabled = false;   // true when [server.tls] is given
  std::string cert_file;  // the server's certificate, followed by its chain
  std::string key_file;
  TlsVersion min_version = TlsVersion::kTls12;

  bool operator==(const TlsConfig&) const = default;
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 picks an ephemeral port (tests).
  TlsConfig tls;
  // A second, plaintext listener of the tracking API next to a TLS one (a sidecar on loopback,
  // say). Only with [server.tls].
  bool listen_plain = false;
  std::string listen_plain_host;
  std::uint16_t listen_plain_port = 0;
  unsigned threads = 0;                    // IO threads; 0 means one per core.
  std::size_t max_request_bytes = 614400;  // after gzip/deflate decoding
  std::size_t max_message_bytes = 32768;   // one message, alone or inside a batch
  std::size_t max_batch_events = 2500;
  bool trust_forwarded_for = false;  // take context.ip from the left-most X-Forwarded-For
  // Origins allowed to call the API from a browser; "*" reflects any Origin.
  std::vector<std::string> cors_allowed_origins = {"*"};
  // host[:port] that SDKs should send to, advertised as apiHost by the settings endpoint.
  // Empty: apiHost is omitted and clients keep their configured host.
  std::string public_host;
  std::chrono::milliseconds header_timeout{10'000};  // reading the request line and headers
  std::chrono::milliseconds body_timeout{30'000};    // reading the body
  std::chrono::milliseconds idle_timeout{75'000};    // keep-alive wait for the next request
  std::size_t max_connections = 20'000;
  std::chrono::seconds retry_after{5};  // Retry-After sent with 503

  bool operator==(const ServerConfig&) const = default;
};

struct StorageConfig {
  std::string path = "./data/log";
  Durability durability = Durability::kFsync;
  std::uint64_t max_backlog_bytes = 10ull << 30;  // above this, intake answers 503
  // Records accepted but not yet committed; above this, intake answers 503 (bounded memory).
  std::uint64_t max_pending_bytes = 64ull << 20;
  // Delivered events are kept at least this long (for replays); 0: deleted once every
  // destination has them. Without destinations, only this deletes anything.
  std::chrono::milliseconds retention{0};
  // An event whose messageId its source sent within this window is not stored again
  // (storage/dedup_index.hpp); 0: off.
  std::chrono::milliseconds dedup_window{std::chrono::hours(24 * 7)};
  // The block cache of the dedup index's filters and index blocks: its memory.
  std::uint64_t dedup_cache_bytes = 64ull << 20;

  bool operator==(const StorageConfig&) const = default;
};

// rate_limit in [sources.settings]: a token bucket counted in events.
struct RateLimitConfig {
  double events_per_second = 0;  // refill rate, > 0
  std::uint64_t burst = 0;       // bucket size, >= 1; defaults to events_per_second

  bool operator==(const RateLimitConfig&) const = default;
};

// What a source takes in, and so which endpoint its write key opens and how the requests
// there are read (docs/sources.md).
enum class SourceKind : std::uint8_t {
  kTracking,  // the Tracking API, the pixel and the Objects API (the default)
  // POST /v1/webhook/{writeKey} from an email service provider: its events become the six
  // email events (docs/sources/email.md).
  kSendgrid,
  kMailgun,
  kPostmark,
  kMandrill,
  // POST /v1/webhook/{writeKey} from any tool that posts JSON, read by WebhookItemSettings.
  kWebhook,
};
// "tracking", "sendgrid", ...; the names [[sources]].kind takes.
std::string_view to_string(SourceKind kind);
std::optional<SourceKind> source_kind_from_string(std::string_view name);
bool is_email_provider(SourceKind kind);

// [sources.settings] of an email service provider source. Each provider reads only its own
// credential; an empty one means its requests are not verified.
struct EmailSettings {
  std::string verification_key;  // sendgrid: ECDSA P-256 public key, base64 of its DER
  std::string signing_key;       // mailgun: the HTTP webhook signing key (HMAC-SHA256)
  std::string webhook_key;       // mandrill: the webhook's key (HMAC-SHA1)
  // mandrill: the webhook URL exactly as entered in Mandrill, which it signs; empty: the URL
  // the request arrived on (scheme, Host header and path).
  std::string webhook_url;
  std::string basic_auth;  // postmark: "user:password", as put in the webhook URL
  // The custom argument (SendGrid), user variable (Mailgun) or metadata key (Postmark,
  // Mandrill) that holds the recipient's userId.
  std::string user_id_field = "userId";
  // Event names other than the email spec's, by event: delivered, opened, link_clicked,
  // bounced, marked_as_spam, unsubscribe.
  std::map<std::string, std::string> event_names;
  bool store_unmapped = false;  // store the other events too, as "Email <provider event>"

  bool operator==(const EmailSettings&) const = default;
};

// How a signature over a webhook's body is written in its header.
enum class SignatureEncoding : std::uint8_t { kHex, kBase64 };

// hmac = { header, secret, encoding } of a webhook source: an HMAC-SHA256 of the raw body.
struct BodyHmacConfig {
  std::string header;
  std::string secret;
  SignatureEncoding encoding = SignatureEncoding::kHex;

  bool operator==(const BodyHmacConfig&) const = default;
};

// [sources.settings] of a "webhook" source: where in a posted JSON body its items are, and
// where in each item the fields of the track event it becomes. Pointers are RFC 6901 JSON
// pointers ("/data/id"); the item pointers are relative to each item.
struct WebhookItemSettings {
  std::string items;       // an array of items; empty: the body is one item
  std::string event;       // the event name; empty: event_name
  std::string event_name;  // a fixed event name, when event is empty
  std::string user_id;     // empty: an anonymousId derived from the item's id
  std::string timestamp;   // Unix seconds or ISO-8601; empty: the receive time
  std::string message_id;  // empty: a digest of the item, so a resent item keeps its id
  std::string properties;  // empty: the whole item
  std::optional<BodyHmacConfig> hmac;

  bool operator==(const WebhookItemSettings&) const = default;
};

// [sources.settings]: what one source may send. The defaults let everything through.
struct SourceSettings {
  std::optional<RateLimitConfig> rate_limit;  // none: no limit
  // Origins whose browsers may read this source's answers ("*" allows any); none: the
  // server's cors_allowed_origins.
  std::optional<std::vector<std::string>> allowed_origins;
  std::vector<std::string> allowed_types;  // Segment types such as "track"; empty: all
  // Track event names never stored; "Test *" (a trailing '*') is a prefix.
  std::vector<std::string> blocked_events;
  // The key of the signed click links of GET /v1/email/click (any kind); empty: the source
  // takes no clicks.
  std::string link_secret;
  EmailSettings email;          // the email provider kinds only
  WebhookItemSettings webhook;  // kind "webhook" only

  bool operator==(const SourceSettings&) const = default;
};

struct SourceConfig {
  std::string name;
  std::vector<std::string> write_keys;
  SourceSettings settings;
  SourceKind kind = SourceKind::kTracking;

  bool operator==(const SourceConfig&) const = default;
};

// [destinations.webhook]: events POSTed to an HTTP(S) endpoint.
enum class WebhookMode {
  kBatch,  // one request per batch, {"batch":[...]}
  kEvent,  // one request per event
};

struct WebhookDestinationConfig {
  std::string url;                             // http:// or https://, required
  std::map<std::string, std::string> headers;  // sent with every request
  WebhookMode mode = WebhookMode::kBatch;
  std::chrono::milliseconds timeout{10'000};  // one request, connect to response
  std::string ca_file;                        // extra CA certificates (PEM); empty: system store

  bool operator==(const WebhookDestinationConfig&) const = default;
};

// A file destination's batch limits when its table sets none (each batch costs an fsync).
inline constexpr std::size_t kFileBatchMaxEvents = 1000;
inline constexpr std::uint64_t kFileBatchMaxBytes = 4ull << 20;

// [destinations.file]: NDJSON files, one line per event.
struct FileDestinationConfig {
  std::string path;                                      // directory the files land in, required
  std::uint64_t rotate_bytes = 256ull << 20;             // a file is completed at this size...
  std::chrono::milliseconds rotate_interval{3'600'000};  // ...or at this age
  bool gzip = false;                                     // files end in .ndjson.gz

  bool operator==(const FileDestinationConfig&) const = default;
};

// [destinations.kafka]: a Kafka producer.
struct KafkaDestinationConfig {
  std::string brokers;  // bootstrap servers, "host:port,host:port", required
  std::string topic;    // required; may use {source} and {type}
  std::map<std::string, std::string> properties;  // passed through to librdkafka

  bool operator==(const KafkaDestinationConfig&) const = default;
};

// A postgres destination's batching when its table sets none: large batches (a transaction and
// a COPY per table each), two in flight (one batch's rows are built while another loads).
inline constexpr std::size_t kWarehouseBatchMaxEvents = 10'000;
inline constexpr std::uint64_t kWarehouseBatchMaxBytes = 16ull << 20;
inline constexpr unsigned kWarehouseMaxInFlight = 2;

// [destinations.postgres]: a PostgreSQL warehouse in Segment's schema (docs/warehouse.md).
struct PostgresDestinationConfig {
  std::string dsn;  // a libpq connection string, required
  // Each source's tables in a schema named after it (snake_case); false: all in "sluice".
  bool schema_per_source = true;

  bool operator==(const PostgresDestinationConfig&) const = default;
};

// The kinds of destination, in the order of DestinationConfig::settings' alternatives.
enum class DestinationType { kWebhook = 0, kFile = 1, kKafka = 2, kPostgres = 3 };

std::string_view to_string(DestinationType type);

// One [[destinations]] table: where events go, which ones, and how they are batched and retried.
struct DestinationConfig {
  std::string name;  // unique; letters, digits, '.', '_' and '-'
  // Settings of the destination's kind; the alternative held is its type.
  std::variant<WebhookDestinationConfig, FileDestinationConfig, KafkaDestinationConfig,
               PostgresDestinationConfig>
      settings;

  std::vector<std::string> sources;         // names of [[sources]]; empty: all sources
  std::vector<std::string> include_types;   // "track", "identify", ...; empty: all types
  std::vector<std::string> include_events;  // track event names; empty: every track event
  std::vector<std::string> exclude_events;  // track event names never delivered

  // For file and postgres destinations kFile... and kWarehouse... unless set.
  std::size_t batch_max_events = 100;
  std::uint64_t batch_max_bytes = 512ull << 10;   // sum of the events' JSON sizes
  std::chrono::milliseconds batch_max_wait{200};  // for a batch to fill; 0: send what is there
  unsigned max_in_flight = 1;  // batches awaiting acknowledgement (webhook, postgres)
  std::chrono::milliseconds retry_initial{200};  // backoff cap of the first retry...
  std::chrono::milliseconds retry_max{300'000};  // ...doubling up to this
  std::uint64_t max_attempts = 0;  // 0: retry forever; else dead-letter after this many attempts

  DestinationType type() const { return static_cast<DestinationType>(settings.index()); }

  bool operator==(const DestinationConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off

  bool operator==(const LogConfig&) const = default;
};

// [admin]: the operator HTTP API (admin/) on its own listener. Off unless listen is set; a
// token is then required, so the API is never reachable without one.
struct AdminConfig {
  bool enabled = false;  // true when admin.listen is set
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 9090;  // 0 picks an ephemeral port (tests).
  // Every request must carry "Authorization: Bearer <token>". At least kMinTokenChars long.
  std::string token;

  static constexpr std::size_t kMinTokenChars = 16;

  bool operator==(const AdminConfig&) const = default;
};

// [ops]: /metrics, /health and /ready on a listener of their own, so that public traffic on the
// tracking port cannot read them. Off unless listen is set; they then answer 404 on the
// tracking port.
struct OpsConfig {
  bool enabled = false;  // true when ops.listen is set
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 9091;  // 0 picks an ephemeral port (tests).

  bool operator==(const OpsConfig&) const = default;
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  std::vector<SourceConfig> sources;
  std::vector<DestinationConfig> destinations;
  LogConfig log;
  AdminConfig admin;
  OpsConfig ops;

  bool operator==(const Config&) const = default;
};

// One problem found while loading. line and column are 1-based; 0 when unknown (for example an
// error about a missing key or an environment variable).
struct ConfigError {
  std::string origin;  // file path, "<embedded default>" or "environment variable NAME"
  int line = 0;
  int column = 0;
  std::string message;

  // "origin:line:column: message", leaving out the parts that are unknown.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;     // set only when errors is empty
  std::vector<ConfigError> errors;  // every problem found, in file order
};

// The environment seen by the loader: SLUICE_<SECTION>_<KEY> variables override the file, e.g.
// SLUICE_SERVER_LISTEN=127.0.0.1:9000 (SLUICE_SERVER_TLS_CERT_FILE for [server.tls]), and
// SLUICE_SOURCES="website=key1,key2;ios=key3" adds sources, or replaces the write keys of a
// source of the same name. Passed in so tests need not touch the real environment.
using Environment = std::map<std::string, std::string>;
Environment process_environment();

LoadResult load_file(const std::string& path, const Environment& env);
LoadResult load_string(std::string_view toml_text, const std::string& origin,
                       const Environment& env);

// The default configuration compiled into the binary (config/sluice.toml).
std::string_view embedded_default_toml();

// What the server runs on: the file at path, or the embedded default when path is empty.
LoadResult load_server_config(const std::string& path, const Environment& env);

// Parses "10GiB", "512KiB", "600KB", "1024" into bytes; nullopt when malformed.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);
// Parses "200ms", "10s", "5m", "1h" into milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace sluice::config
