#include "sessions.hpp"

#include <fmt/format.h>

namespace mc::testing {
namespace {

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

std::vector<Session> storage_sessions() {
  return {
      {"SetGetDelete",
       {"set a 0 0 1\r\na\r\n", "get a\r\n", "get a b a\r\n", "delete a\r\n", "get a\r\n",
        "delete a\r\n", "set b 4294967295 0 3\r\nbbb\r\n", "get b\r\n",
        "set c 4294967296 0 1\r\nc\r\n", "set e 0 0 0\r\n\r\n", "get e\r\n"}},
      {"AddReplaceAppendPrepend",
       {"add a 5 0 1\r\na\r\n", "add a 0 0 1\r\nb\r\n", "replace a 7 0 2\r\nrr\r\n",
        "replace z 0 0 1\r\nz\r\n", "append a 9 0 2\r\nAA\r\n", "prepend a 9 0 2\r\nPP\r\n",
        "get a\r\n", "append z 0 0 1\r\nz\r\n", "prepend z 0 0 1\r\nz\r\n", "get z\r\n"}},
      {"GetsAndCas",
       {"set a 0 0 1\r\na\r\n", "gets a\r\n", "cas a 0 0 1 1\r\nb\r\n", "get a\r\n",
        "cas missing 0 0 1 1\r\nb\r\n", "cas a 0 0 1\r\nb\r\n", "cas a 0 0 1 abc\r\nb\r\n",
        "gets a missing a\r\n"}},
      {"Noreply",
       {"set a 0 0 1 noreply\r\na\r\n", "add a 0 0 1 noreply\r\nb\r\n",
        "replace a 0 0 1 noreply\r\nc\r\n", "append a 0 0 1 noreply\r\nd\r\n",
        "prepend a 0 0 1 noreply\r\ne\r\n", "get a\r\n", "incr a 1 noreply\r\n",
        "set n 0 0 1 noreply\r\n5\r\n", "incr n 3 noreply\r\n", "decr n 1 noreply\r\n", "get n\r\n",
        "touch n 100 noreply\r\n", "delete n noreply\r\n", "get n\r\n", "flush_all noreply\r\n",
        "get a\r\n"}},
      {"BinarySafeValues",
       {"set a 0 0 5\r\nEND\r\n\r\n", "get a\r\n", std::string("set b 0 0 3\r\n\0\r\0\r\n", 18),
        "get b\r\n", "set c 0 0 4\r\n\r\n\r\n\r\n", "get c\r\n"}},
      {"BadStorageLines",
       {"set a 0 0\r\n", "set a 0 0 -1\r\n", "set a x 0 1\r\n", "set a 0 x 1\r\n",
        "set a 0 0 1 2 3 4\r\n", "set " + repeat('k', 251) + " 0 0 1\r\n",
        "set " + repeat('k', 250) + " 0 0 1\r\nk\r\n", "get " + repeat('k', 250) + "\r\n",
        "set a 0 0 2\r\nabc\r\n", "set a 0 0 2\r\nab\r\n", "get a\r\n", "set a 0 0 2\r\nabcd\r\n"}},
      {"TooLargeValues",
       {"set a 0 0 1\r\na\r\n", "set a 0 0 2000000\r\n" + repeat('x', 2000000) + "\r\n",
        "get a\r\n", "set b 0 0 1\r\nb\r\n",
        "add b 0 0 2000000\r\n" + repeat('x', 2000000) + "\r\n", "get b\r\n",
        "append b 0 0 1048576\r\n" + repeat('x', 1048576) + "\r\n", "get b\r\n"}},
      {"ItemSizeEdge",
       {"set k 0 0 1048516\r\n" + repeat('v', 1048516) + "\r\n",
        "set k 0 0 1048517\r\n" + repeat('v', 1048517) + "\r\n",
        "set k 1 0 1048512\r\n" + repeat('v', 1048512) + "\r\n",
        "set k 1 0 1048513\r\n" + repeat('v', 1048513) + "\r\n", "mg k s\r\n"}},
  };
}

std::vector<Session> retrieval_and_arithmetic_sessions() {
  return {
      {"IncrDecr",
       {"set n 0 0 2\r\n10\r\n",
        "incr n 5\r\n",
        "decr n 100\r\n",
        "incr n 18446744073709551615\r\n",
        "incr n 2\r\n",
        "set m 0 0 20\r\n18446744073709551615\r\n",
        "incr m 1\r\n",
        "get m\r\n",
        "incr n abc\r\n",
        "incr n -1\r\n",
        "decr n\r\n",
        "incr missing 1\r\n",
        "set t 0 0 3\r\nabc\r\n",
        "incr t 1\r\n",
        "set p 0 0 2\r\n99\r\n",
        "incr p 1\r\n",
        "get p\r\n",
        "decr p 91\r\n",
        "get p\r\n",
        "set s 0 0 3\r\n 12\r\n",
        "incr s 1\r\n"}},
      {"TouchAndGat",
       {"set a 0 0 1\r\na\r\n", "touch a 100\r\n", "touch missing 100\r\n", "touch a x\r\n",
        "touch a\r\n", "gat 100 a missing\r\n", "gats 100 a\r\n", "gat a\r\n", "gat x a\r\n",
        "touch a -1\r\n", "get a\r\n"}},
      {"Expiry",
       {"set a 0 -1 1\r\na\r\n", "get a\r\n", "set b 0 1000000000 1\r\nb\r\n", "get b\r\n",
        "set c 0 4102444800 1\r\nc\r\n", "get c\r\n", "set d 0 2592000 1\r\nd\r\n", "get d\r\n",
        "add a 0 0 1\r\nz\r\n", "get a\r\n"}},
      {"ManyKeys",
       {[] {
          std::string line = "get";
          for (int i = 0; i < 2000; ++i) line += fmt::format(" key{}", i);
          return line + "\r\n";
        }(),
        "set key7 0 0 1\r\n7\r\n", "get key1 key7 key7\r\n"}},
      {"GetErrors",
       {"get\r\n", "gets\r\n", "get " + repeat('k', 251) + "\r\n",
        "get a " + repeat('k', 251) + "\r\n"}},
  };
}

std::vector<Session> admin_sessions() {
  return {
      {"Delete",
       {"set a 0 0 1\r\na\r\n", "delete a 0\r\n", "delete a 1\r\n", "delete a 0 noreply\r\n",
        "delete\r\n", "delete a b c\r\n", "delete missing\r\n"}},
      {"FlushAll",
       {"set a 0 0 1\r\na\r\n", "flush_all\r\n", "get a\r\n", "set a 0 0 1\r\na\r\n",
        "flush_all 0\r\n", "get a\r\n", "flush_all abc\r\n", "flush_all -1\r\n",
        "set b 0 0 1\r\nb\r\n", "flush_all 1000\r\n", "get b\r\n"}},
      {"Misc",
       {"version\r\n", "verbosity\r\n", "verbosity 1\r\n", "verbosity 1 noreply\r\n",
        "verbosity x\r\n", "bogus\r\n", "\r\n", "GET\r\n", "shutdown\r\n", "cache_memlimit 1\r\n",
        "cache_memlimit 100\r\n", "cache_memlimit x\r\n", "stats nonsense\r\n", "stats reset\r\n"}},
      {"Quit", {"set a 0 0 1\r\na\r\n", "quit\r\n"}},
      {"HttpProbeCloses", {"GET / HTTP/1.1\r\n"}},
      {"LongLineCloses", {"set " + repeat('k', 3000) + "\r\n"}},
  };
}

std::vector<Session> meta_sessions() {
  return {
      {"MetaGet",
       {"set a 5 0 3\r\nabc\r\n", "mg a\r\n", "mg a v\r\n", "mg a v f s k t c\r\n",
        "mg a O123 k v\r\n", "mg missing v\r\n", "mg missing v q\r\n", "mg missing v q O9 k\r\n",
        "mg a zz\r\n", "mg\r\n", "mg a h l\r\n", "mg a T30 t v\r\n", "mg YQ== b v k\r\n"}},
      {"MetaSet",
       {"ms a 2\r\nhi\r\n",
        "ms a 2 T0 F5\r\nhi\r\n",
        "mg a v f\r\n",
        "ms a 2 MA\r\nyo\r\n",
        "ms a 2 MP\r\nxx\r\n",
        "mg a v\r\n",
        "ms b 1 ME\r\nb\r\n",
        "ms b 1 ME\r\nc\r\n",
        "ms c 1 MR\r\nc\r\n",
        "ms a 1 MS q\r\nz\r\n",
        "mg a v c\r\n",
        "ms a 1 C1\r\nq\r\n",
        "ms a 2 I\r\nzz\r\n",
        "ms a\r\n",
        "ms a abc\r\n",
        "ms a 1 X\r\na\r\n",
        "ms a 1 O55 k b\r\na\r\n",
        "ms YmM= 1 b k\r\nz\r\n",
        "mg bc v\r\n",
        "ms a 2 MZ\r\nzz\r\n",
        "ms a 1 q\r\nx\r\n"}},
      {"MetaDelete",
       {"set a 0 0 1\r\na\r\n", "md a\r\n", "md a\r\n", "md a q\r\n", "md a O7 k\r\n",
        "set a 0 0 1\r\na\r\n", "md a C1\r\n", "md a I T30\r\n", "mg a v\r\n", "md a zz\r\n",
        "md\r\n"}},
      {"MetaArithmetic",
       {"ma a\r\n", "ma a q\r\n", "ma a N0 J13\r\n", "ma a v\r\n", "ma a MD D5 v\r\n",
        "ma a D abc\r\n", "set t 0 0 1\r\nx\r\n", "ma t\r\n", "ma a O1 k v t c\r\n", "ma a zz\r\n",
        "mn\r\n", "me a\r\n"}},
  };
}

}  // namespace

std::vector<Session> all_sessions() {
  std::vector<Session> sessions;
  for (auto group : {storage_sessions(), retrieval_and_arithmetic_sessions(), admin_sessions(),
                     meta_sessions()}) {
    sessions.insert(sessions.end(), group.begin(), group.end());
  }
  return sessions;
}

}  // namespace mc::testing
