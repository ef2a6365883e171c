// Golden vectors: placements that libmemcached computes, checked against ours. Names only;
// nothing here opens a connection (the addresses below are never contacted).

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "mc/client/hash.hpp"
#include "mc/client/locator.hpp"

namespace {

using mc::client::Locator;
using mc::client::ServerAddress;

// libmemcached's own ketama fixture (test/fixtures/ketama.hpp, ketama_test_cases): for the
// servers in fixture_servers(), the key, its MD5 key hash, the ring point it lands on, and the
// server that owns that point.
struct FixtureCase {
  std::string_view key;
  std::uint32_t key_hash;
  std::uint32_t point;
  std::string_view server;
};

constexpr FixtureCase kFixture[] = {
    {"SVa_]_V41)", 443691461U, 445379617U, "10.0.1.7"},
    {"*/Z;?V(.\\8", 1422915503U, 1428303028U, "10.0.1.1"},
    {"30C1*Z*S/_", 1473165754U, 1480075959U, "10.0.1.2"},
    {"ERR:EC58G>", 2148406511U, 2168579133U, "10.0.1.7"},
    {"1I=cTMNTKF", 2882686667U, 2885206587U, "10.0.1.5"},
    {"]VG<`I*Z8)", 1103544263U, 1104827657U, "10.0.1.5"},
    {"UUTC`-V159", 3716288206U, 3727224240U, "10.0.1.5"},
    {"@7RU6C6T+Z", 3862737685U, 3871917949U, "10.0.1.5"},
    {"/XLN0@+36;", 1623269830U, 1627683651U, "10.0.1.1"},
    {"4(`X;\\V.^c", 373546328U, 383925769U, "10.0.1.1"},
    {"726bW=9*a4", 4213440020U, 4213950705U, "10.0.1.7"},
    {"\\`)<B)UE,c", 951096736U, 955226069U, "10.0.1.1"},
    {"P1[Ma3=K1/", 1989324036U, 1994028240U, "10.0.1.8"},
    {"C89I.-V?cT", 1604239957U, 1606398093U, "10.0.1.8"},
    {"D[HE+cFXDK", 2117036136U, 2117124014U, "10.0.1.3"},
    {"P1L?NAB[)K", 2129972569U, 2132542634U, "10.0.1.1"},
    {"cDT0)Z5P6,", 176485284U, 178675413U, "10.0.1.5"},
    {"@JW`+[WAO8", 2720940826U, 2743975456U, "10.0.1.5"},
    {"\\39DKW^)N_", 3548879868U, 3550704865U, "10.0.1.3"},
    {"EM75N0+[X1", 1558531507U, 1559308507U, "10.0.1.4"},
    {"`,SS]NBP,b", 1883545960U, 1884847278U, "10.0.1.1"},
    {"XX1a9LT+F?", 653487707U, 656410408U, "10.0.1.5"},
    {"Zc\\-,F-c6V", 1160802451U, 1171575728U, "10.0.1.5"},
    {"1*RTMC7,03", 1602398012U, 1606398093U, "10.0.1.8"},
    {"*Xc+V0P>32", 536016577U, 539988520U, "10.0.1.7"},
    {"U))Fb-(`,.", 4128682289U, 4136854163U, "10.0.1.7"},
    {"R-08RNTaRT", 3718170086U, 3727224240U, "10.0.1.5"},
    {"(LHcO203I3", 1007779411U, 1014643570U, "10.0.1.5"},
    {"=256P+;Qc8", 3976201210U, 3976304873U, "10.0.1.5"},
    {"OI5XZ_BBT(", 2155922164U, 2168579133U, "10.0.1.7"},
    {"2TLRL/UL;:", 1086800909U, 1095659802U, "10.0.1.7"},
    {"WHD\\O1`ZRW", 3087923411U, 3095471560U, "10.0.1.5"},
    {".=54)_c;=T", 2497691631U, 2502731301U, "10.0.1.1"},
    {";G<W-XWZ@b", 2888169733U, 2888728739U, "10.0.1.5"},
    {"(,>E`)FT\\4", 580747448U, 581063326U, "10.0.1.2"},
    {"HZAU*;P*N]", 2564670474U, 2565697267U, "10.0.1.7"},
    {"NZ@ZE=O84_", 533335275U, 539988520U, "10.0.1.7"},
    {"6,cEI`F_P>", 3972869246U, 3974773167U, "10.0.1.6"},
    {"c,5AQ/T5)6", 2835605783U, 2847870057U, "10.0.1.8"},
    {".O,>>BT)RX", 3857978174U, 3871917949U, "10.0.1.5"},
    {"XY\\X::LX50", 1749241099U, 1752196488U, "10.0.1.6"},
    {"+550F^/.01", 3781824099U, 3783248219U, "10.0.1.6"},
    {"<.X9E2S5+9", 3232479481U, 3234387706U, "10.0.1.7"},
    {"]\\.UH8_0a1", 2419699252U, 2423002920U, "10.0.1.4"},
    {"8(6=(T0/Z0", 728266737U, 729026070U, "10.0.1.7"},
    {"8*6a;Sc*X+", 4223431086U, 4230156966U, "10.0.1.2"},
    {"<QW:;3K6;H", 2731158143U, 2743975456U, "10.0.1.5"},
    {"7C@EY@-Y?_", 760770733U, 761576669U, "10.0.1.5"},
    {"aPb3E1WD4K", 2500489218U, 2502731301U, "10.0.1.1"},
    {"?@12R<=1BH", 1494795329U, 1502505505U, "10.0.1.8"},
    {"QR(a+Q=1FU", 3238535074U, 3238996435U, "10.0.1.6"},
    {"`C9^FV,960", 2628553463U, 2628733766U, "10.0.1.6"},
    {"UNHVP..^8H", 977096483U, 977319837U, "10.0.1.4"},
    {":Y.2W2[(35", 2777083668U, 2784182515U, "10.0.1.7"},
    {"M/HV^_HZ4O", 3623390946U, 3624445007U, "10.0.1.7"},
    {"ZY16KQ<ICD", 1831153193U, 1838563516U, "10.0.1.4"},
    {"bV2,`a.PY9", 1962228869U, 1962648654U, "10.0.1.1"},
    {"U;9:-+5N]9", 269504649U, 277560877U, "10.0.1.1"},
    {"1S/:aJ[1(;", 578069729U, 581063326U, "10.0.1.2"},
    {"Nb-X^]M)I:", 330865696U, 331009896U, "10.0.1.6"},
    {"2;M;ES>J5/", 2776949824U, 2784182515U, "10.0.1.7"},
    {"[>RZHG97Q9", 71954686U, 72034069U, "10.0.1.6"},
    {"J3/G[)9<^Z", 2799896459U, 2805183696U, "10.0.1.7"},
    {"N-)88>[O`,", 50404102U, 51792557U, "10.0.1.5"},
    {"NP:=FR\\OaA", 3837333776U, 3837792034U, "10.0.1.7"},
    {"`@L+W;a,O[", 1512157148U, 1522285852U, "10.0.1.6"},
    {"W2`P:-+1T[", 2945171975U, 2946196424U, "10.0.1.5"},
    {"-6G7K^YDIN", 3168617340U, 3170513015U, "10.0.1.7"},
    {"U>*>9ZI6V5", 668514946U, 674097631U, "10.0.1.6"},
    {".I?^6Ic9RK", 938419020U, 942832691U, "10.0.1.6"},
    {"0OZH^9BKM[", 3682518606U, 3686781297U, "10.0.1.8"},
    {"5?50UGZ:ML", 868610882U, 869425986U, "10.0.1.5"},
    {"?K2NF@3=IU", 381218851U, 383925769U, "10.0.1.1"},
    {"YI@G-2X?UB", 3688706179U, 3693197681U, "10.0.1.5"},
    {"7cY</BSaL=", 3976870223U, 3978903843U, "10.0.1.6"},
    {"A(`KF:[RH8", 3292979676U, 3294849139U, "10.0.1.6"},
    {";=ZT\\W^P+H", 1401102653U, 1416290674U, "10.0.1.4"},
    {"b2?WFF56;R", 480494704U, 486971192U, "10.0.1.4"},
    {"CTR74,J+N.", 137446045U, 146633907U, "10.0.1.8"},
    {"<b;*R+QDST", 1304985302U, 1308223778U, "10.0.1.5"},
    {"\\R^7=9UCG`", 126218373U, 129199837U, "10.0.1.5"},
    {"1bQS5]WOXB", 1853470245U, 1855329369U, "10.0.1.4"},
    {"M(@X^b[L:K", 3019630308U, 3022260113U, "10.0.1.1"},
    {"431cBF8,YO", 1679726993U, 1685224295U, "10.0.1.7"},
    {"(bEIQJ:E./", 2922607787U, 2925521819U, "10.0.1.6"},
    {"WS/3H*)7F;", 419488232U, 422140585U, "10.0.1.5"},
    {"ZJF[Ia6Q)+", 3960568056U, 3962489998U, "10.0.1.7"},
    {"<]*QCK8U,>", 2590140172U, 2598117636U, "10.0.1.7"},
    {"\\[a\\^=V_M0", 689410119U, 698690782U, "10.0.1.6"},
    {"7;RM+8J9YC", 1530175299U, 1531107082U, "10.0.1.7"},
    {"4*=.SPR[AV", 3928582722U, 3928853792U, "10.0.1.1"},
    {"-2F+^88P4U", 3023552752U, 3025823613U, "10.0.1.7"},
    {"X;-F`(N?9D", 570465234U, 572485994U, "10.0.1.7"},
    {"R=F_D-K2a]", 1287750228U, 1290935562U, "10.0.1.7"},
    {"X*+2aaC.EG", 3200948713U, 3201088518U, "10.0.1.5"},
    {"[1ZXONX2]a", 4108881567U, 4109865744U, "10.0.1.4"},
    {"FL;\\GWacaV", 458449508U, 467374054U, "10.0.1.4"},
    {"\\MQ_XNT7L-", 1259349383U, 1259509450U, "10.0.1.7"},
    {"VD6D0]ba_\\", 3842502950U, 3842588691U, "10.0.1.1"},
};

// The fixture's servers: 10.0.1.1 .. 10.0.1.8 on port 11211 with these weights.
std::vector<ServerAddress> fixture_servers() {
  const std::uint32_t weights[] = {600, 300, 200, 350, 1000, 800, 950, 100};
  std::vector<ServerAddress> servers;
  for (std::uint32_t i = 0; i < std::size(weights); ++i) {
    servers.push_back({"10.0.1." + std::to_string(i + 1), 11211, weights[i]});
  }
  return servers;
}

TEST(KetamaGolden, FixtureHasAllNinetyNineCases) { EXPECT_EQ(std::size(kFixture), 99U); }

TEST(KetamaGolden, KeyHashesMatchLibmemcachedFixture) {
  for (const auto& c : kFixture) {
    EXPECT_EQ(mc::client::md5_hash(c.key), c.key_hash) << c.key;
  }
}

TEST(KetamaGolden, KeysLandOnFixturePointsAndServers) {
  const Locator locator(fixture_servers());
  for (const auto& c : kFixture) {
    SCOPED_TRACE(c.key);
    const auto point = locator.continuum().point_for(c.key_hash);
    ASSERT_TRUE(point.has_value());
    EXPECT_EQ(point->value, c.point);
    const auto server = locator.locate(c.key);
    ASSERT_TRUE(server.has_value());
    EXPECT_EQ(locator.servers()[*server].host, c.server);
  }
}

TEST(KetamaGolden, KeyPastTheLastPointWrapsToTheFirst) {
  const Locator locator(fixture_servers());
  const auto points = locator.continuum().points();
  ASSERT_FALSE(points.empty());
  // The fixture's comment: VDEAAAAA hashes to 0xfffcd1b5, after the last point of the ring.
  const std::uint32_t hash = mc::client::md5_hash("VDEAAAAA");
  EXPECT_EQ(hash, 0xfffcd1b5U);
  EXPECT_GT(hash, points.back().value);
  EXPECT_EQ(locator.locate("VDEAAAAA"), points.front().server);
}

// Placements computed with libmemcached 1.1.4 itself (memcached_generate_hash with
// MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED): host names, a bare IPv6 address, ports other than 11211
// (labels "host:port-N") and multi-byte UTF-8 keys.
TEST(KetamaGolden, MixedPortsAndHostNamesMatchLibmemcached) {
  const Locator locator({{"cache-a.example.net", 11211, 1},
                         {"cache-b.example.net", 11212, 3},
                         {"127.0.0.1", 22122, 2},
                         {"::1", 11211, 5}});
  const std::pair<std::string_view, std::size_t> expected[] = {
      {"user:1", 1},     {"user:42", 1},    {"session:abcdef", 1},
      {"a", 2},          {"zz", 2},         {"page:/index.html", 2},
      {"counter", 2},    {"k\xc3\xa9y", 2}, {"\xe6\x97\xa5\xe6\x9c\xac", 3},
      {"foo", 3},        {"bar", 1},        {"baz", 3},
      {"corge", 2},      {"grault", 3},     {"waldo", 0},
      {"xyzzy", 3},      {"thud", 3},       {"order:1000", 2},
      {"order:1001", 3}, {"cart/7f3a", 3},  {"x", 3},
      {"VDEAAAAA", 0},
  };
  for (const auto& [key, server] : expected) {
    EXPECT_EQ(locator.locate(key), server) << key;
  }
  // libmemcached's ring for these four servers holds 632 points (weights 1:3:2:5 of 11).
  EXPECT_EQ(locator.continuum().points().size(), 632U);
}

}  // namespace
