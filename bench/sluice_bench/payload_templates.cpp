#include "bench/sluice_bench/payload_templates.hpp"

#include <cassert>

#include "bench/sluice_bench/json_text.hpp"

namespace sluice::bench {
namespace {

// The type-specific members of each message: several variants per type so that sizes and
// shapes vary the way real traffic does (modelled on tests/fixtures/clients).
constexpr std::string_view kTrackBodies[] = {
    R"("event":"Order Completed","properties":{"order_id":"ord-50314","revenue":129.85,"shipping":4.9,"tax":20.73,"currency":"EUR","coupon":null,"first_purchase":false,"products":[{"product_id":"p-1042","sku":"SKU-1042-A","name":"Crème brûlée","price":9.5,"quantity":2,"category":"Desserts"},{"product_id":"p-2210","sku":"SKU-2210-B","name":"寿司セット","price":12,"quantity":1,"attrs":{"spicy":false}},{"product_id":"p-3007","sku":"SKU-3007","name":"Espresso beans 1 kg","price":98.85,"quantity":1}]},"integrations":{"All":true,"Mixpanel":false})",
    R"("event":"Product Viewed","properties":{"product_id":"p-7781","sku":"SKU-7781","category":"Outdoor","name":"Trail running shoe – Ünïcödé edition","brand":"Northwind","variant":"blue/42","price":139,"currency":"EUR","position":3,"url":"https://shop.example.com/p/7781","image_url":"https://cdn.example.com/i/7781.jpg","tags":["running","trail",2026]})",
    R"("event":"Signed Up","properties":{"plan":"pro","method":"email","trial":true,"trial_days":14,"referrer_code":null,"marketing_opt_in":false})",
    R"("event":"Video Playback Started","properties":{"session_id":"vs-4410","content_asset_id":"ca-9921","content_pod_id":"pod-3","position":0,"total_length":1843,"bitrate":4800,"framerate":29.97,"video_player":"html5","sound":88,"full_screen":false,"ad_enabled":true,"quality":"1080p","livestream":false,"nested":{"level1":{"level2":{"value":-1.5,"tiny":1e-7,"list":[1,2.5,-3]}}}})",
    R"("event":"Button Clicked ✓","properties":{"label":"Add to cart","location":"product page","escapes":"quote \" backslash \\ newline \n tab \t","unicode":"naïve café — Zürich — 中文 — Ελληνικά — 🎉🚀","max_safe_int":9007199254740991,"empty_object":{},"empty_array":[]})",
};

constexpr std::string_view kIdentifyBodies[] = {
    R"("traits":{"name":"Zoë Ångström","email":"zoe@example.com","plan":"pro","age":42,"vip":true,"logins":1234567,"score":98.6,"interests":["analytics","c++","ünïcödé"],"address":{"city":"Zürich","country":"CH","geo":{"lat":47.3769,"lng":8.5417}}})",
    R"("traits":{"first_name":"Kenji","last_name":"Watanabe","email":"kenji.w@example.jp","created_at":"2025-03-14T09:26:53.000Z","company":{"name":"Acme KK","id":"co-311","plan":"enterprise"},"motto":"日本語テキスト 🚀"})",
    R"("traits":{"email":"sam@example.org","newsletter":false,"plan":"free","locale":"en-GB"})",
};

constexpr std::string_view kPageBodies[] = {
    R"("name":"Getting Started","category":"Docs","properties":{"path":"/docs/getting-started","title":"Getting Started – Docs","url":"https://example.com/docs/getting-started","referrer":"https://www.google.com/","search":"?q=install"})",
    R"("name":"Checkout","category":"Shop","properties":{"path":"/checkout","title":"Checkout","url":"https://shop.example.com/checkout","referrer":"https://shop.example.com/cart","search":"","step":2})",
    R"("name":"Home","properties":{"path":"/","title":"Example — Home","url":"https://example.com/","referrer":"","search":"?utm_source=newsletter&utm_medium=email"})",
};

constexpr std::string_view kGroupBodies[] = {
    R"("groupId":"group-789","traits":{"name":"Acme Inc.","employees":250,"industry":"Technology","plan":"enterprise","founded":1999,"website":"https://acme.example.com"})",
    R"("groupId":"group-1024","traits":{"name":"Müller & Söhne GmbH","employees":12,"industry":"Retail","plan":"starter","address":{"city":"München","country":"DE"}})",
};

struct Context {
  std::string_view json;   // the "context" object
  std::string_view extra;  // further top-level members, "" or starting with ','
};

constexpr Context kBrowserContexts[] = {
    {R"({"library":{"name":"analytics.js","version":"next-1.84.3"},"page":{"path":"/pricing","referrer":"https://www.google.com/","search":"?utm_source=google&utm_medium=cpc","title":"Pricing – Example","url":"https://example.com/pricing?utm_source=google&utm_medium=cpc"},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36","userAgentData":{"brands":[{"brand":"Chromium","version":"131"},{"brand":"Not_A Brand","version":"24"}],"mobile":false,"platform":"Linux"},"locale":"en-US","timezone":"America/New_York","campaign":{"name":"spring_sale","source":"google","medium":"cpc","term":"event analytics","content":"ad-variant-b"}})",
     R"(,"_metadata":{"bundled":["Segment.io"],"unbundled":[],"bundledIds":[]})"},
    {R"({"library":{"name":"analytics.js","version":"next-1.84.3"},"page":{"path":"/blog/2026/launch","referrer":"","search":"","title":"Nous lançons — Blog","url":"https://example.fr/blog/2026/launch"},"userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1","locale":"fr-FR","timezone":"Europe/Paris"})",
     R"(,"_metadata":{"bundled":["Segment.io"],"unbundled":[],"bundledIds":[]})"},
};

constexpr Context kOtherContexts[] = {
    {R"({"library":{"name":"@segment/analytics-node","version":"3.1.0"}})",
     R"(,"_metadata":{"nodeVersion":"v20.20.2","jsRuntime":"node"})"},
    {R"({"library":{"name":"analytics-python","version":"2.3.3"},"ip":"203.0.113.7","locale":"de-CH","custom":{"experiment":"exp-1","variant":2}})",
     ""},
    {R"({"app":{"name":"Example","version":"5.12.0","build":"5120","namespace":"com.example.app"},"device":{"id":"7D3E9B50-0C6F-4A87-9D4B-3E3C5B1A2F10","manufacturer":"Apple","model":"iPhone15,2","type":"ios"},"os":{"name":"iOS","version":"18.1"},"network":{"wifi":true,"cellular":false},"screen":{"width":393,"height":852,"density":3},"library":{"name":"analytics-swift","version":"1.7.2"},"locale":"de-DE","timezone":"Europe/Berlin"})",
     ""},
    {R"({"app":{"name":"Example","version":"5.12.0","build":"51200","namespace":"com.example.app"},"device":{"id":"a3c4b9de-6f21-4d61-9c0a-1b5e0f6a2d77","manufacturer":"Google","model":"Pixel 8","type":"android"},"os":{"name":"Android","version":"15"},"network":{"wifi":false,"cellular":true,"carrier":"T-Mobile"},"screen":{"width":1080,"height":2400,"density":2.625},"library":{"name":"com.segment.analytics.kotlin.android","version":"1.18.0"},"locale":"pt-BR","timezone":"America/Sao_Paulo","traits":{"anonymousId":"a3c4b9de"}})",
     ""},
    kBrowserContexts[0],
};

template <std::size_t N>
std::vector<std::string_view> views(const std::string_view (&bodies)[N]) {
  return std::vector<std::string_view>(bodies, bodies + N);
}

std::vector<std::string_view> bodies_of(EventType type) {
  switch (type) {
    case EventType::kIdentify:
      return views(kIdentifyBodies);
    case EventType::kTrack:
      return views(kTrackBodies);
    case EventType::kPage:
      return views(kPageBodies);
    case EventType::kGroup:
      return views(kGroupBodies);
  }
  return {};
}

std::string message_text(EventType type, std::string_view body, const Context& context,
                         bool browser, std::string_view write_key) {
  std::string text = "{\"type\":\"";
  text += event_type_name(type);
  text += "\",";
  text += body;
  text += ",\"context\":";
  text += context.json;
  text += context.extra;
  if (browser) {
    text += ",\"writeKey\":\"";
    append_json_escaped(text, write_key);
    text += '"';
  }
  text +=
      ",\"userId\":\"{{userId}}\",\"anonymousId\":\"{{anonymousId}}\","
      "\"messageId\":\"{{messageId}}\",\"timestamp\":\"{{timestamp}}\"";
  return text;
}

Slot slot_named(std::string_view name) {
  if (name == "userId") return Slot::kUserId;
  if (name == "anonymousId") return Slot::kAnonymousId;
  if (name == "messageId") return Slot::kMessageId;
  if (name == "timestamp") return Slot::kTimestamp;
  assert(false && "unknown placeholder in a payload template");
  return Slot::kEnd;
}

}  // namespace

std::string_view event_type_name(EventType type) {
  switch (type) {
    case EventType::kIdentify:
      return "identify";
    case EventType::kTrack:
      return "track";
    case EventType::kPage:
      return "page";
    case EventType::kGroup:
      return "group";
  }
  return "track";
}

PayloadTemplate compile_template(std::string_view text) {
  PayloadTemplate parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t open = text.find("{{", start);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    assert(close != std::string_view::npos);  // our templates close every placeholder
    parts.push_back({std::string(text.substr(start, open - start)),
                     slot_named(text.substr(open + 2, close - open - 2))});
    start = close + 2;
  }
  parts.push_back({std::string(text.substr(start)), Slot::kEnd});
  return parts;
}

PayloadLibrary::PayloadLibrary(bool browser, std::string_view write_key) {
  std::vector<Context> contexts;
  if (browser) {
    contexts.assign(std::begin(kBrowserContexts), std::end(kBrowserContexts));
  } else {
    contexts.assign(std::begin(kOtherContexts), std::end(kOtherContexts));
  }
  for (EventType type : kEventTypes) {
    auto& list = templates_[static_cast<std::size_t>(type)];
    for (std::string_view body : bodies_of(type)) {
      for (const Context& context : contexts) {
        list.push_back(compile_template(message_text(type, body, context, browser, write_key)));
      }
    }
  }
}

}  // namespace sluice::bench
