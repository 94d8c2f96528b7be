/* check_proxyproto: the PROXY protocol parser, v1 and v2, fed whole, split at
 * every offset, truncated, oversized, and with TLVs good and bad. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxyproto.h"

static const uint8_t sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A v2 header: ver_cmd, fam, then body (addresses and TLVs) of n bytes. */
static size_t v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t n)
{
	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
	memcpy(out + 16, body, n);
	return 16 + n;
}

/* Parses p whole (plus trailing client bytes, which must not count), then
 * every proper prefix, which must all ask for more. Returns the length. */
static ssize_t parse_all_ways(const uint8_t *p, size_t n, struct proxy_addr *a)
{
	uint8_t *buf = malloc(n + 5);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, p, n);
	memcpy(buf + n, "GET /", 5);
	ssize_t whole = proxy_parse(buf, n, a);
	struct proxy_addr b;
	ck_assert_int_eq(proxy_parse(buf, n + 5, &b), whole);
	for (size_t cut = 0; whole > 0 && cut < n; cut++)
		ck_assert_msg(proxy_parse(buf, cut, &b) == PROXY_MORE, "prefix of %zu bytes", cut);
	free(buf);
	return whole;
}

START_TEST(test_v1)
{
	static const char tcp4[] = "PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n";
	static const char tcp6[] = "PROXY TCP6 2001:db8::1 ::1 65535 80\r\n";
	static const char unknown[] = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n";
	struct proxy_addr a;
	uint8_t want[16];

	ck_assert_int_eq(parse_all_ways((const uint8_t *)tcp4, strlen(tcp4), &a), (ssize_t)strlen(tcp4));
	ck_assert_int_eq(a.family, AF_INET);
	inet_pton(AF_INET, "192.0.2.7", want);
	ck_assert_mem_eq(a.addr, want, 4);
	ck_assert_uint_eq(a.port, 56324);
	ck_assert_int_eq(parse_all_ways((const uint8_t *)tcp6, strlen(tcp6), &a), (ssize_t)strlen(tcp6));
	ck_assert_int_eq(a.family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", want);
	ck_assert_mem_eq(a.addr, want, 16);
	ck_assert_int_eq(parse_all_ways((const uint8_t *)unknown, strlen(unknown), &a),
			 (ssize_t)strlen(unknown));
	ck_assert_int_eq(a.family, 0);
	ck_assert_int_eq(proxy_parse((const uint8_t *)"PROXY UNKNOWN\r\n", 15, &a), 15);
	/* The rest of an UNKNOWN line is ignored, however many fields it has. */
	static const char more[] = "PROXY UNKNOWN a b c d e f  g\r\n";
	ck_assert_int_eq(parse_all_ways((const uint8_t *)more, strlen(more), &a), (ssize_t)strlen(more));
	ck_assert_int_eq(a.family, 0);
}
END_TEST

START_TEST(test_v1_refused)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n",
		"PROXY TCP4 192.0.2.7 10.0.0.1 56324\r\n",         /* a field short */
		"PROXY TCP4 192.0.2.7 10.0.0.1 56324 443 9\r\n",   /* one too many */
		"PROXY TCP4  192.0.2.7 10.0.0.1 56324 443\r\n",    /* double space */
		"PROXY TCP4 2001:db8::1 10.0.0.1 56324 443\r\n",   /* family mismatch */
		"PROXY TCP4 192.0.2.777 10.0.0.1 56324 443\r\n",
		"PROXY TCP4 192.0.2.7 10.0.0.1 65536 443\r\n",
		"PROXY TCP4 192.0.2.7 10.0.0.1 0443 443\r\n",      /* leading zero */
		"PROXY TCP4 192.0.2.7 10.0.0.1 -1 443\r\n",
		"PROXY UDP4 192.0.2.7 10.0.0.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 10.0.0.1 1 2\rX",            /* CR without LF */
		"PROXY TCP4 192.0.2.7 10.0.0.1 1 2\n",             /* bare LF */
		"proxy TCP4 192.0.2.7 10.0.0.1 1 2\r\n",
		"PROXY\r\n",
		"PROXY UNKNOWNX\r\n",
	};
	struct proxy_addr a;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(proxy_parse((const uint8_t *)bad[i], strlen(bad[i]), &a) == PROXY_BAD,
			      "accepted: %s", bad[i]);
	/* "GET" is refused from its first byte: nothing is waited for. */
	ck_assert_int_eq(proxy_parse((const uint8_t *)"G", 1, &a), PROXY_BAD);
	/* A NUL in the line. */
	ck_assert_int_eq(proxy_parse((const uint8_t *)"PROXY UNKNOWN\0\r\n", 16, &a), PROXY_BAD);
}
END_TEST

START_TEST(test_v1_oversized)
{
	char line[300];
	struct proxy_addr a;

	/* 107 bytes with the CRLF is the limit: "PROXY UNKNOWN " padded. */
	memset(line, 'x', sizeof line);
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + 105, "\r\n", 2);
	ck_assert_int_eq(proxy_parse((const uint8_t *)line, 107, &a), 107);
	memset(line, 'x', sizeof line);
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + 106, "\r\n", 2);
	ck_assert_int_eq(proxy_parse((const uint8_t *)line, 108, &a), PROXY_BAD);
	/* No CR in time: refused without waiting for more. */
	ck_assert_int_eq(proxy_parse((const uint8_t *)line, 106, &a), PROXY_BAD);
	ck_assert_int_eq(proxy_parse((const uint8_t *)line, 105, &a), PROXY_MORE);
}
END_TEST

START_TEST(test_v2_addresses)
{
	uint8_t h[600], body[64];
	struct proxy_addr a;
	size_t n;

	/* TCP4 192.0.2.9:40000 -> 10.0.0.1:80 */
	memcpy(body, "\xc0\x00\x02\x09\x0a\x00\x00\x01\x9c\x40\x00\x50", 12);
	n = v2(h, 0x21, 0x11, body, 12);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 28);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_mem_eq(a.addr, "\xc0\x00\x02\x09", 4);
	ck_assert_uint_eq(a.port, 40000);
	/* TCP6 2001:db8::5 */
	memset(body, 0, 36);
	memcpy(body, "\x20\x01\x0d\xb8", 4);
	body[15] = 5;
	body[32] = 0x01;
	body[33] = 0xbb;
	n = v2(h, 0x21, 0x21, body, 36);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 52);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_mem_eq(a.addr, body, 16);
	ck_assert_uint_eq(a.port, 443);
	/* LOCAL (a health check): whatever block follows, no address. */
	n = v2(h, 0x20, 0x00, body, 0);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 16);
	ck_assert_int_eq(a.family, 0);
	n = v2(h, 0x20, 0x11, body, 12);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 28);
	ck_assert_int_eq(a.family, 0);
	/* The spec: LOCAL is accepted and its block discarded, family included:
	 * a block shorter than the family's addresses, TLVs that do not frame,
	 * UDP, UNIX or an unknown family. */
	static const uint8_t fams[] = {0x11, 0x21, 0x12, 0x31, 0x7f};
	for (size_t i = 0; i < sizeof fams; i++) {
		memset(body, 0xff, 5);
		n = v2(h, 0x20, fams[i], body, 5);
		ck_assert_msg(parse_all_ways(h, n, &a) == 21, "family 0x%02x", fams[i]);
		ck_assert_int_eq(a.family, 0);
		n = v2(h, 0x20, fams[i], body, 0);
		ck_assert_msg(parse_all_ways(h, n, &a) == 16, "family 0x%02x, empty", fams[i]);
	}
	/* PROXY with UNSPEC: no address either. */
	n = v2(h, 0x21, 0x00, body, 0);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 16);
	ck_assert_int_eq(a.family, 0);
}
END_TEST

START_TEST(test_v2_tlvs)
{
	uint8_t h[1200], body[1100];
	struct proxy_addr a;
	size_t n;

	memcpy(body, "\xc0\x00\x02\x09\x0a\x00\x00\x01\x9c\x40\x00\x50", 12);
	/* ALPN "h2", then a NOOP of 3 bytes, then an empty unique-id. */
	memcpy(body + 12, "\x01\x00\x02h2\x04\x00\x03\x00\x00\x00\x05\x00\x00", 14);
	n = v2(h, 0x21, 0x11, body, 26);
	ck_assert_int_eq(parse_all_ways(h, n, &a), 42);
	ck_assert_int_eq(a.family, AF_INET);
	/* A TLV running past the end, a TLV cut in its head. */
	memcpy(body + 12, "\x01\x00\x05h2", 5);
	n = v2(h, 0x21, 0x11, body, 17);
	ck_assert_int_eq(proxy_parse(h, n, &a), PROXY_BAD);
	memcpy(body + 12, "\x01\x00", 2);
	n = v2(h, 0x21, 0x11, body, 14);
	ck_assert_int_eq(proxy_parse(h, n, &a), PROXY_BAD);
	/* Big but within PROXY_MAX: fine; one byte over: refused at the head. */
	memset(body + 12, 0, sizeof body - 12);
	size_t tlv = PROXY_MAX - 16 - 12 - 3;
	body[12] = 0x04;
	body[13] = (uint8_t)(tlv >> 8);
	body[14] = (uint8_t)tlv;
	n = v2(h, 0x21, 0x11, body, 12 + 3 + tlv);
	ck_assert_uint_eq(n, PROXY_MAX);
	ck_assert_int_eq(proxy_parse(h, n, &a), PROXY_MAX);
	body[14] = (uint8_t)(tlv + 1);
	n = v2(h, 0x21, 0x11, body, 12 + 3 + tlv + 1);
	ck_assert_int_eq(proxy_parse(h, 16, &a), PROXY_BAD);
}
END_TEST

START_TEST(test_v2_refused)
{
	uint8_t h[100], body[40] = {0};
	struct proxy_addr a;

	ck_assert_int_eq(proxy_parse(h, v2(h, 0x11, 0x11, body, 12), &a), PROXY_BAD); /* version 1 */
	ck_assert_int_eq(proxy_parse(h, v2(h, 0x22, 0x11, body, 12), &a), PROXY_BAD); /* command 2 */
	ck_assert_int_eq(proxy_parse(h, v2(h, 0x21, 0x12, body, 12), &a), PROXY_BAD); /* UDP */
	ck_assert_int_eq(proxy_parse(h, v2(h, 0x21, 0x31, body, 40), &a), PROXY_BAD); /* UNIX */
	ck_assert_int_eq(proxy_parse(h, v2(h, 0x21, 0x11, body, 11), &a), PROXY_BAD); /* short */
	ck_assert_int_eq(proxy_parse(h, v2(h, 0x21, 0x21, body, 35), &a), PROXY_BAD);
	/* A damaged signature, at each of its bytes. */
	for (size_t i = 0; i < 12; i++) {
		v2(h, 0x21, 0x11, body, 12);
		h[i] ^= 0x40;
		ck_assert_msg(proxy_parse(h, 28, &a) == PROXY_BAD, "byte %zu", i);
		ck_assert_msg(proxy_parse(h, i + 1, &a) == PROXY_BAD, "prefix %zu", i);
	}
	/* TLS's first bytes. */
	ck_assert_int_eq(proxy_parse((const uint8_t *)"\x16\x03\x01", 3, &a), PROXY_BAD);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proxyproto");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_v1);
	tcase_add_test(tc, test_v1_refused);
	tcase_add_test(tc, test_v1_oversized);
	tcase_add_test(tc, test_v2_addresses);
	tcase_add_test(tc, test_v2_tlvs);
	tcase_add_test(tc, test_v2_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
