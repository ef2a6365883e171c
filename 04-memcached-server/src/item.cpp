#include "mc/server/item.hpp"

#include <new>

namespace mc::server {

Item* Item::create(void* place, const ItemFields& fields) {
  Item* item = new (place) Item;
  item->set_next(0);
  item->set_last_access(fields.last_access);
  item->raw()[kStateAt] = fields.state;
  const std::size_t length_bytes = Item::length_bytes(fields.value_length);
  std::uint8_t layout = static_cast<std::uint8_t>(length_bytes - 1);
  if (fields.flags != 0) layout |= kHasFlags;
  if (fields.exptime != 0 || fields.exptime_field) layout |= kHasExptime;
  if (fields.cas != 0) layout |= kHasCas;
  item->raw()[kLayoutAt] = layout;
  item->raw()[kKeyLengthAt] = static_cast<unsigned char>(fields.key.size());
  std::memcpy(item->raw() + kHeader, &fields.value_length, length_bytes);
  if (fields.flags != 0) item->store(item->flags_at(), fields.flags);
  if ((layout & kHasExptime) != 0) item->store(item->exptime_at(), fields.exptime);
  if (fields.cas != 0) item->store(item->cas_at(), fields.cas);
  std::memcpy(item->raw() + item->key_at(), fields.key.data(), fields.key.size());
  return item;
}

ItemFields Item::fields() const {
  ItemFields fields;
  fields.key = key();
  fields.value_length = value_length();
  fields.flags = flags();
  fields.exptime = exptime();
  fields.exptime_field = has_exptime_field();
  fields.cas = own_cas();
  fields.state = state();
  fields.last_access = last_access();
  return fields;
}

}  // namespace mc::server
