/**
 * A labelled corpus for measuring the detectors. Synthetic data only: test
 * card numbers published by card networks and payment processors, IBAN
 * examples from the ISO registry and bank documentation, example.com/.org/.net
 * addresses, documentation IP ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32), fictional phone numbers (555-01xx, Ofcom's
 * drama ranges), syntactically valid but made-up national ids, and fake keys.
 *
 * Positives are built from values × sentence templates in several languages
 * (pairing value i with template i, cycling), so every value is seen in a
 * different sentence; negatives are written out one by one.
 */
import type { Kind } from "../../src/privacy/index.js";

export interface Label {
  kind: Kind;
  /** The exact text the detector should find. */
  value: string;
}

export interface Example {
  text: string;
  labels: Label[];
}

const TEMPLATES: readonly string[] = [
  "Please contact me at {} if anything changes.",
  "Bitte schicken Sie die Unterlagen an {} bis Freitag.",
  "Mes coordonnées : {} (merci de ne pas partager).",
  "Mi dato es {}, gracias.",
  "Il cliente ha fornito {} durante la chiamata.",
  "Kunt u {} controleren?",
  "{} — that's what the form said.",
  "Summarise this ticket: customer gave {}; wants a refund.",
  "\"{}\" was pasted into the chat.",
  "Note to self:\n  {}\n",
];

const fill = (kind: Kind, values: readonly string[], offset = 0): Example[] =>
  values.map((value, i) => ({
    text: (TEMPLATES[(i + offset) % TEMPLATES.length] ?? "{}").replace("{}", value),
    labels: [{ kind, value }],
  }));

const EMAILS = [
  "alice@example.com", "bob.smith@example.org", "carol+newsletter@example.net", "d.o'neil@example.com".replace("'", ""),
  "EVE_ADMIN@EXAMPLE.COM", "frank-ops@mail.example.co.uk", "g.h@sub.example.io", "hans.mueller@example.de",
  "jean-pierre.dupont@example.fr", "maria_garcia99@example.es", "info@example-shop.com", "x@example.museum",
  "support.team@example.travel", "first.last@example.com", "noreply@notifications.example.com", "a1b2c3@example.org",
  "user%tag@example.com", "o.rossi@example.it", "jan.devries@example.nl", "ceo@example.ai",
];

const PHONES = [
  "+1 202 555 0143", "(555) 123-4567", "+44 20 7946 0958", "020 7946 0958", "+49 30 12345678",
  "+33 1 23 45 67 89", "01 23 45 67 89", "+34 912 345 678", "555.123.4567", "+81 3-1234-5678",
  "+61 2 9876 5432", "0044 20 7946 0958", "+14155552671", "1-800-555-0199", "+1 (555) 010-9999",
  "030 1234 5678", "+39 06 1234 5678", "+31 20 123 4567", "555-010-4242", "+44 (0)161 496 0123",
  "06 12 34 56 78", "+353 1 234 5678",
];

const CARDS = [
  "4111111111111111", "4111 1111 1111 1111", "4012-8888-8888-1881", "4222222222222", "5555 5555 5555 4444",
  "5105105105105100", "2223 0031 2200 3222", "3782 822463 10005", "371449635398431", "6011 1111 1111 1117",
  "6011000990139424", "3530 1113 3330 0000", "3566002020360505", "3056 930902 5904", "38520000023237",
  "6200 0000 0000 0005", "4000-0566-5566-5556", "5200 8282 8282 8210", "4242 4242 4242 4242", "5425233430109903",
  "4917 6100 0000 0000", "374245455400126",
];

const IBANS = [
  "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB29 NWBK 6016 1331 9268 19", "GB82WEST12345698765432",
  "FR14 2004 1010 0505 0001 3M02 606", "ES91 2100 0418 4502 0005 1332", "NL91ABNA0417164300", "BE68 5390 0754 7034",
  "IT60 X054 2811 1010 0000 0123 456", "CH93 0076 2011 6238 5295 7", "AT61 1904 3002 3457 3201",
  "PL61 1090 1014 0000 0712 1981 2874", "SE45 5000 0000 0583 9825 7466", "NO93 8601 1117 947", "DK50 0040 0440 1162 43",
  "FI21 1234 5600 0007 85", "PT50 0002 0123 1234 5678 9015 4", "IE29 AIBK 9311 5212 3456 78", "LU28 0019 4006 4475 0000",
  "CZ65 0800 0000 1920 0014 5399", "de89 3704 0044 0532 0130 00",
];

const NATIONAL_IDS = [
  "123-45-6789", "219-09-9999", "078-05-1120", "234 56 7890", "111-22-3333", "457-55-5462", "321-54-9876",
  "AB 12 34 56 C", "AB123456C", "JG103759A", "CE 123456 D", "ZR 99 88 77 B",
  "12345678Z", "87654321X", "X1234567L", "Y1234567X", "Z1234567R", "11111111H", "12345678-Z",
  "545-12-0042",
];

const IPS = [
  "192.0.2.1", "198.51.100.23", "203.0.113.5", "192.0.2.255", "10.0.0.1", "172.16.254.1", "2001:db8::1",
  "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:0:0:1:0:0:1", "fe80::1", "::1", "2001:db8::192.0.2.33",
  "198.51.100.0", "203.0.113.254", "2001:db8:abcd:12::7", "0.0.0.0", "255.255.255.255", "2001:DB8::FF00:42:8329",
  "::ffff:192.0.2.128", "192.168.1.10",
];

const SECRETS = [
  "sk-proj-Xy7Qa2LmN9pR4tV1wZ8bC3dF6gH0jK5s", "sk-ant-api03-Qm9Zt4Lp8Vx2Nc6Rb1Hs7Wd3Fk0Jy5Ge", "sk-9fJ2kL4mN6pQ8rS0tU1vW3xY5zA7bC",
  "AKIAIOSFODNN7EXAMPLE", "AKIAZ3X9Q1W2E4R5T6Y7", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
  "gho_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8",
  "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxp-2718281828-3141592653-ab12cd34ef",
  "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  "lsk_ab12CD34_Zq8Wm4Xt7Ry2Uv6Sp0Lk3Jh9Gf5Dc1Ba7Ne4Mo8Pi2",
  "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_51Hx2Yz8Qw7Er6Ty5Ui4Op3",
  "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123",
];

// Secrets that are only recognisable by the word in front of them.
const KEYWORD_SECRETS: Example[] = [
  ["api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
  ["password: Tr0ub4dorXk9pLm2Qz", "Tr0ub4dorXk9pLm2Qz"],
  ["export SECRET_KEY=\"q8Z2m4N7x1B5v9C3k6L0j2H4\"", "q8Z2m4N7x1B5v9C3k6L0j2H4"],
  ["Authorization: Bearer a9B8c7D6e5F4g3H2i1J0kLmNoP", "a9B8c7D6e5F4g3H2i1J0kLmNoP"],
  ["mein Token ist X4k9Pq2Lw7Zr3Nt8Vb6Yc1Md", "X4k9Pq2Lw7Zr3Nt8Vb6Yc1Md"],
  ["le mot de passe (password) : 7hGf3KdL9sQ2wE5rT8yU", "7hGf3KdL9sQ2wE5rT8yU"],
  ["{\"access_key\": \"Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5\"}", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"],
  ["client secret = 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"],
].map(([text = "", value = ""]) => ({ text, labels: [{ kind: "secret", value }] }));

// Several findings in one message, of different kinds.
const MIXED: Example[] = [
  {
    text: "Hi, I'm Jane (jane.doe@example.com, +1 202 555 0188). Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.",
    labels: [
      { kind: "email", value: "jane.doe@example.com" }, { kind: "phone", value: "+1 202 555 0188" },
      { kind: "card", value: "4111 1111 1111 1111" }, { kind: "iban", value: "DE89 3704 0044 0532 0130 00" },
    ],
  },
  {
    text: "Server 203.0.113.9 rejected key sk-proj-Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7 from user 198.51.100.77.",
    labels: [
      { kind: "ip", value: "203.0.113.9" }, { kind: "secret", value: "sk-proj-Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7" },
      { kind: "ip", value: "198.51.100.77" },
    ],
  },
  {
    text: "Empleado: DNI 12345678Z, tel. +34 600 123 456, correo pepe@example.es",
    labels: [
      { kind: "national_id", value: "12345678Z" }, { kind: "phone", value: "+34 600 123 456" },
      { kind: "email", value: "pepe@example.es" },
    ],
  },
  {
    text: "NI number: AB 12 34 56 C; SSN 123-45-6789; connect via [2001:db8::5]:443",
    labels: [
      { kind: "national_id", value: "AB 12 34 56 C" }, { kind: "national_id", value: "123-45-6789" },
      { kind: "ip", value: "2001:db8::5" },
    ],
  },
];

export const POSITIVES: readonly Example[] = [
  ...fill("email", EMAILS),
  ...fill("phone", PHONES, 1),
  ...fill("card", CARDS, 2),
  ...fill("iban", IBANS, 3),
  ...fill("national_id", NATIONAL_IDS, 4),
  ...fill("ip", IPS, 5),
  ...fill("secret", SECRETS, 6),
  ...KEYWORD_SECRETS,
  ...MIXED,
];

/** Flip the last digit: the checksum then fails. */
const breakLast = (s: string): string => s.slice(0, -1) + String((Number(s.slice(-1)) + 1) % 10);

export const NEGATIVES: readonly string[] = [
  // Dates and times
  "The meeting is on 2024-05-17 at 14:30.", "Geboren am 17.05.1985 in Köln.", "Due 05/17/2024, paid 2024/05/20.",
  "Le rendez-vous est le 17/05/2024 à 10h30.", "Timestamp 2024-05-17T14:30:00Z in the logs.", "From 2019-2023 we grew 40%.",
  "Q3 2024 ran from 2024-07-01 to 2024-09-30.", "Uptime 12:34:56 since 08:00:00.", "Fecha: 17-05-2024 12:00",
  "The epoch 1715950200 is a Unix time.", "Between 1999-12-31 23:59 and 2000-01-01 00:01.", "Week 20, day 137 of 2024.",
  // Versions
  "Upgrade to version 1.2.3 now.", "Node v20.11.1 and npm 10.2.4.", "Running 10.0.19041.1234 on Windows.",
  "The IP-like version 1.2.3.4.5 is a build number.", "Chrome 124.0.6367.91 fixed it.", "version 2.0.0.1 shipped yesterday.",
  "Use python 3.12.1 or later.", "release v10.0.0.1 is tagged", "Kernel 6.8.0-31-generic booted.", "Build 4.18.0-513.el8 failed.",
  "Version 255.255.255.255.1 is not an address.", "semver 0.0.1-alpha.3", "Angular 17.3.0 uses TypeScript 5.4.2.",
  // Order ids, invoices, product codes
  "Order #1234567890 has shipped.", "Your order number is 20240517123456.", "Invoice 2024-118833 is overdue.",
  "SKU 400-12-3456-78 is out of stock.", "Part no. 12-345-67-890 replaced.", "Tracking 1Z999AA10123456784 in transit.",
  "Ticket ID 555-123-4567 was closed.", "Model ZX-2000-45 specs attached.", "Ref: 000123456789", "Order ORD-2024-000123 confirmed.",
  "Product code 8712345678906 (EAN).", "Serial 12345-67890-12345 on the label.", "account 123456789 in the ledger",
  "Case number 2024-CV-001234 filed.", "Batch 20240517-0001 processed 1,234,567 rows.",
  // ISBNs
  "ISBN 978-3-16-148410-0 is on the back cover.", "ISBN 0-306-40615-2, first edition.", "ISBN-13: 9780306406157",
  // Numbers, amounts, measurements
  "Revenue was 1,234,567.89 EUR.", "Population: 83 200 000 people.", "Pi is 3.14159265358979.", "That costs $4,111.11 in total.",
  "The range 100-200-300 is arbitrary.", "Coordinates 52.5200, 13.4050 (Berlin).", "Speed 299 792 458 m/s.",
  "It weighs 12.5 kg and is 1.80 m tall.", "Scores: 98 87 76 65 54 43.", "The answer is 42, not 4242.",
  // Card-like numbers failing Luhn or with unknown prefixes
  `Card ${breakLast("4111111111111111")} was declined.`, `Try ${breakLast("5555555555554444")} instead.`,
  `Amex ${breakLast("378282246310005")} is invalid.`, "Number 1234 5678 9012 3456 is made up.", "0000 0000 0000 0000 is a placeholder.",
  `Number ${breakLast("6011111111111117")} on file.`, "Enter 9999 9999 9999 9999 to test validation.", "Card 4111 1111 1111 111 is too short.",
  `Visa ${breakLast("4012888888881881")} rejected.`, "Gift card 1234-5678-9012-3456 balance.", "ID 7777777777777777 is not a card.",
  `Karte ${breakLast("4242424242424242")} abgelehnt.`, "Ticket 8000 1234 5678 9010 used.",
  // IBAN-like strings failing mod-97 or length
  "IBAN DE00 3704 0044 0532 0130 00 is wrong.", "GB00NWBK60161331926819 fails the check.", "FR00 2004 1010 0505 0001 3M02 606",
  "Konto DE89 3704 0044 0532 0130 01 existiert nicht.", "NL00ABNA0417164300 invalid", "XX89370400440532013000 unknown country",
  "DE8937040044053201 is too short.", "ES9121000418450200051333 typo.", "BE00539007547034 is not valid", "Reference AB12CDEF34567890GH",
  // SSN-like, NINO-like, DNI-like failures
  "000-12-3456 is not an SSN.", "666-12-3456 is never issued.", "900-12-3456 is an ITIN range.", "123-00-6789 has a zero group.",
  "123-45-0000 has a zero serial.", "QQ 12 34 56 C is the HMRC placeholder.", "GB 12 34 56 A is not allocated.",
  "Code 12345678A (wrong check letter).", "X1234567A fails the check.", "AB 12 34 56 E has a bad suffix.", "DNI 1234567Z is too short.",
  // IP-like strings that are not addresses
  "Version 1.2.3.4.5 of the firmware.", "Address 256.1.2.3 is out of range.", "192.168.1 is incomplete.", "10.0.0.256 is invalid.",
  "MAC 00:1A:2B:3C:4D:5E on eth0.", "Ratio 16:9 and time 10:30:45.", "Section 4.2.1.3 of the RFC.", "Call std::vector::push_back.",
  "Use a::b in Rust paths.", "Rule 1.1.1.1.1 of the handbook.", "The file is v1.2.3.4.tar.gz", "01.02.03.04 is a date-like code.",
  "2001:db8 is half an address.", "Time 12:00:00:000 in the trace.", "Chapter 3.10.200.300 (not an IP).",
  // Hashes, UUIDs and ids that are not secrets
  "Commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it.", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "Request id 550e8400-e29b-41d4-a716-446655440000 failed.", "UUID 123e4567-e89b-12d3-a456-426614174000", "md5 d41d8cd98f00b204e9800998ecf8427e",
  "Trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7", "Image digest sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e",
  "The docker image abc123def456 is cached.", "Object id 65f1a2b3c4d5e6f7a8b9c0d1", "etag \"33a64df551425fcc55e4d42a148795d9f25f89d4\"",
  // Key/token/secret/password next to short or low-entropy values
  "The key is 42.", "Press any key to continue.", "The secret is love.", "Token count: 1536 tokens.", "password: hunter2",
  "Your password must be at least 12 characters.", "Set max_tokens to 4096.", "key = value", "The API key field is empty.",
  "api_key=YOUR_API_KEY_HERE", "token: <redacted>", "Primary key id, foreign key user_id.", "password reset requested",
  "The key insight: aaaaaaaaaaaaaaaaaaaaaaaa is padding.", "secret = xxxxxxxxxxxxxxxxxxxx", "Use the token endpoint /oauth/token.",
  "key: the_quick_brown_fox_jumps", "Bearer tokens expire after 3600 seconds.", "sk-learn is a Python library.", "task-management-board",
  "A skeleton key opens many doors.", "AKIA is the AWS key prefix.", "ghp_ is the GitHub token prefix.", "eyJ is base64 for {\"",
  // Not addresses
  "Ping user@ when ready.", "Mention @alice in the channel.", "Install @scope/pkg@1.2.3 today.", "Retina asset icon@2x.png.",
  "Send to user@localhost for testing.", "The handle is foo@bar (no domain).", "Email: name at example dot com.", "user@@example",
  "Price 10@5 per unit.", "Decorator @Component({ selector: 'app' })", "Format: local-part@domain", "x@y is a variable name",
  // Phone-like product codes and other digit runs
  "Product 4006381333931 scanned.", "Zip code 10115 Berlin, 75008 Paris.", "Room 1234, floor 12.", "Flight LH 400 at gate B12.",
  "1 2 3 4 5 6 7 8 9 10 counting.", "Lottery numbers 03 11 19 27 35 42.", "PIN 1234 is default.", "Code 12-34 expired.",
  "Temperature 21.5 and 22.0 and 23.5.", "Between 2 and 3 (inclusive).", "Step (1) then (2).", "Error 0x80070005 access denied.",
  "Matrix [[1, 2], [3, 4]]", "Phone: N/A", "Tel. to follow.", "555 is a number.", "The range is 10-20-30-40.",
  "Chmod 755 and umask 022.", "HTTP 404 and 503 errors.", "Patent US 10,123,456 B2.",
];
