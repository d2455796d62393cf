#include "warehouse/names.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace sluice::warehouse {
namespace {

// Whether every byte of text is part of a whole UTF-8 sequence (no cut in the middle of one).
bool whole_utf8(const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    } else if (lead >= 0x80) {
      return false;  // a continuation byte where a character should start
    }
    if (at + length > text.size()) return false;
    for (std::size_t i = 1; i < length; ++i) {
      if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return false;
    }
    at += length;
  }
  return true;
}

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_CASE("snake_case names events and properties as Segment does", "[warehouse][names]") {
  SECTION("words separated by spaces") {
    CHECK(snake_case("Order Completed") == "order_completed");
    CHECK(snake_case("Signed Up") == "signed_up");
  }
  SECTION("camelCase splits before a capital after a lower-case letter or digit") {
    CHECK(snake_case("productId") == "product_id");
    CHECK(snake_case("userID") == "user_id");
    CHECK(snake_case("step2Done") == "step2_done");
    CHECK(snake_case("2FA") == "_2_fa");
    CHECK(snake_case("PascalCaseName") == "pascal_case_name");
  }
  SECTION("a run of capitals is one word until a capital starts a lower-case word") {
    CHECK(snake_case("URL") == "url");
    CHECK(snake_case("URLPath") == "url_path");
    CHECK(snake_case("parseHTTPResponse") == "parse_http_response");
  }
  SECTION("runs of other characters become one underscore") {
    CHECK(snake_case("checkout-step 2") == "checkout_step_2");
    CHECK(snake_case("a -- b__c") == "a_b_c");
    CHECK(snake_case("price ($)") == "price");
    CHECK(snake_case("context.page.url") == "context_page_url");
  }
  SECTION("leading and trailing separators are dropped") {
    CHECK(snake_case("  padded  ") == "padded");
    CHECK(snake_case("__private") == "private");
    CHECK(snake_case("$ref") == "ref");
  }
  SECTION("snake_case names stay as they are") {
    CHECK(snake_case("already_snake_case") == "already_snake_case");
    CHECK(snake_case("context_page_url") == "context_page_url");
  }
  SECTION("a name starting with a digit gets a leading underscore") {
    CHECK(snake_case("2nd Step") == "_2nd_step");
    CHECK(snake_case("42") == "_42");
    CHECK(snake_case("-7 days") == "_7_days");
  }
  SECTION("a name with no letters or digits is one underscore") {
    CHECK(snake_case("") == "_");
    CHECK(snake_case("!!!") == "_");
    CHECK(snake_case(" ") == "_");
  }
}

TEST_CASE("snake_case keeps letters beyond ASCII and lower-cases only ASCII",
          "[warehouse][names]") {
  SECTION("accented letters are kept as they are") {
    CHECK(snake_case("prénom") == "prénom");
    CHECK(snake_case("Straße Name") == "straße_name");
    CHECK(snake_case("Été") == "Été");  // as PostgreSQL folds unquoted names in UTF-8
  }
  SECTION("camelCase around letters beyond ASCII") {
    CHECK(snake_case("prénomUsuel") == "prénom_usuel");
    CHECK(snake_case("größeInCm") == "größe_in_cm");
  }
  SECTION("other scripts are kept whole") {
    CHECK(snake_case("注文 完了") == "注文_完了");
    CHECK(snake_case("Заказ Оформлен") == "Заказ_Оформлен");
  }
  SECTION("bytes that are not UTF-8 separate words like punctuation") {
    CHECK(snake_case("a\xFF"
                     "b") == "a_b");
    CHECK(snake_case("a\xC3") == "a");  // a sequence cut short
    CHECK(snake_case("\xC0\xAF"
                     "x") == "x");  // an overlong '/'
    CHECK(snake_case("a\xED\xA0\x80"
                     "b") == "a_b");  // a UTF-16 surrogate
  }
}

TEST_CASE("snake_case cuts long names to 63 bytes with a hash of the whole name",
          "[warehouse][names]") {
  SECTION("63 bytes fit as they are") {
    const std::string name(kMaxIdentifierBytes, 'a');
    CHECK(snake_case(name) == name);
  }
  SECTION("64 bytes are cut to 54 and end in '_' and the name's FNV-1a hash") {
    const std::string name(70, 'a');
    const std::string cut = snake_case(name);
    CHECK(cut.size() == kMaxIdentifierBytes);
    CHECK(cut == std::string(54, 'a') + "_5904740b");
  }
  SECTION("the hash covers the normalized name so spellings that meet short meet long") {
    const std::string tail(60, 'x');
    const std::string cut = snake_case("Checkout Step " + tail);
    CHECK(cut == snake_case("checkoutStep_" + tail));
    CHECK(cut == "checkout_step_" + std::string(40, 'x') + "_58568c2d");
  }
  SECTION("long names that share their first 54 bytes still differ") {
    const std::string common(60, 'p');
    const std::string first = snake_case(common + "_first");
    const std::string second = snake_case(common + "_second");
    CHECK(first != second);
    CHECK(first.substr(0, 54) == second.substr(0, 54));
    CHECK(first.size() == kMaxIdentifierBytes);
    CHECK(second.size() == kMaxIdentifierBytes);
    CHECK(is_lower_hex(first.substr(55)));
  }
  SECTION("a cut never splits a multi-byte character") {
    std::string name(53, 'a');
    for (int i = 0; i < 10; ++i) name += "é";  // two bytes each: byte 54 is inside one
    const std::string cut = snake_case(name);
    CHECK(whole_utf8(cut));
    CHECK(cut.size() == 53 + 9);
    CHECK(cut.substr(0, 54) == std::string(53, 'a') + "_");
  }
  SECTION("a cut through four-byte characters stays on a boundary") {
    std::string name = "x";
    for (int i = 0; i < 20; ++i) name += "😀";
    const std::string cut = snake_case(name);
    CHECK(whole_utf8(cut));
    CHECK(cut.size() <= kMaxIdentifierBytes);
    CHECK(cut.substr(0, 53) == name.substr(0, 53));  // 'x' and 13 whole characters
    CHECK(cut[53] == '_');
  }
  SECTION("a separator where the cut falls is not doubled before the hash") {
    const std::string name = std::string(53, 'a') + " " + std::string(20, 'b');
    const std::string cut = snake_case(name);
    CHECK(cut.substr(0, 54) == std::string(53, 'a') + "_");
    CHECK(cut.size() == 53 + 9);
    CHECK(is_lower_hex(cut.substr(54)));
  }
  SECTION("a cut name is its own snake_case") {
    const std::string cut = snake_case(std::string(40, 'k') + " Very Long Property Name Indeed");
    CHECK(cut.size() == kMaxIdentifierBytes);
    CHECK(snake_case(cut) == cut);
  }
}

TEST_CASE("joined makes a flattened column's name", "[warehouse][names]") {
  SECTION("prefix and name with one underscore") {
    CHECK(joined("context", "page") == "context_page");
    CHECK(joined("context_page", "url") == "context_page_url");
    CHECK(joined("property", "id") == "property_id");
  }
  SECTION("an empty prefix leaves the name alone") {
    CHECK(joined("", "email") == "email");
  }
  SECTION("a long result is cut as snake_case cuts") {
    const std::string name(60, 'n');
    const std::string result = joined("context", name);
    CHECK(result.size() == kMaxIdentifierBytes);
    CHECK(result.substr(0, 8) == "context_");
    CHECK(result == snake_case("context_" + name));
  }
  SECTION("long names under different long prefixes still differ") {
    const std::string common(60, 'c');
    CHECK(joined(snake_case(common + "_a"), "x") != joined(snake_case(common + "_b"), "x"));
  }
}

TEST_CASE("quote_identifier quotes any name for SQL text", "[warehouse][names]") {
  SECTION("plain names and reserved words") {
    CHECK(quote_identifier("order_completed") == "\"order_completed\"");
    CHECK(quote_identifier("user") == "\"user\"");
    CHECK(quote_identifier("order") == "\"order\"");
  }
  SECTION("quotes inside are doubled") {
    CHECK(quote_identifier("a\"b") == "\"a\"\"b\"");
    CHECK(quote_identifier("\"") == "\"\"\"\"");
    CHECK(quote_identifier("x\"; DROP TABLE users; --") == "\"x\"\"; DROP TABLE users; --\"");
  }
  SECTION("the empty name and names beyond ASCII") {
    CHECK(quote_identifier("") == "\"\"");
    CHECK(quote_identifier("prénom") == "\"prénom\"");
  }
}

}  // namespace
}  // namespace sluice::warehouse
