// SHA256_Init/Update/Final (HMACSHA256Key): deprecated in OpenSSL 3 but kept throughout 3.x,
// and the only SHA-256 whose state is a plain struct to copy, without an allocation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
