/// \file
/// \brief Iterating over the space-separated tokens of a string without allocating.

#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>

namespace mc::codec {

/// \brief The tokens of `text` split on spaces (memcached splits on ' ' only: a tab is part of
/// a key). Runs of spaces count as one separator. Iterating allocates nothing, which is how a
/// `get` with 19,000 keys stays one pass over the line.
class Tokens {
 public:
  /// \brief A forward iterator yielding each token as a view into the original text.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;  ///< standard iterator trait
    using value_type = std::string_view;                  ///< standard iterator trait
    using difference_type = std::ptrdiff_t;               ///< standard iterator trait
    using pointer = const std::string_view*;              ///< standard iterator trait
    using reference = std::string_view;                   ///< standard iterator trait

    /// \brief The end iterator.
    Iterator() = default;
    /// \brief An iterator at the first token of `rest`.
    explicit Iterator(std::string_view rest) : rest_(rest) { advance(); }

    /// \brief The current token.
    std::string_view operator*() const { return token_; }
    /// \brief Moves to the next token.
    Iterator& operator++() {
      advance();
      return *this;
    }
    /// \brief Moves to the next token, returning the old position.
    Iterator operator++(int) {
      Iterator old = *this;
      advance();
      return old;
    }
    /// \brief Iterators are equal when both are at the end or at the same token.
    friend bool operator==(const Iterator& a, const Iterator& b) {
      return a.token_.data() == b.token_.data() && a.token_.size() == b.token_.size();
    }

   private:
    void advance() {
      const std::size_t start = rest_.find_first_not_of(' ');
      if (start == std::string_view::npos) {
        token_ = {};
        rest_ = {};
        return;
      }
      rest_.remove_prefix(start);
      const std::size_t end = rest_.find(' ');
      token_ = rest_.substr(0, end);
      rest_.remove_prefix(token_.size());
    }

    std::string_view rest_;
    std::string_view token_;
  };

  /// \brief Tokens of `text`; `text` must outlive the iteration.
  explicit Tokens(std::string_view text) : text_(text) {}
  /// \brief The first token.
  Iterator begin() const { return Iterator(text_); }
  /// \brief Past the last token.
  Iterator end() const { return Iterator(); }

 private:
  std::string_view text_;
};

}  // namespace mc::codec
