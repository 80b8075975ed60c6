package draft

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
)

// tokenEncoding is crypto/rand.Text's alphabet: URL-safe, unambiguous.
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newEditToken returns a fresh edit token: 26 base32 characters, 130 bits
// from crypto/rand.
func newEditToken() string { return rand.Text() }

// viewToken derives the view token from the edit token and the rotation
// count: whoever holds the edit link can always show the current view link,
// the database need not keep either token, and rotating (seq+1) makes a new
// token that no old one predicts. HMAC-SHA256 truncated to 130 bits.
func viewToken(editToken string, seq int64) string {
	mac := hmac.New(sha256.New, []byte(editToken))
	mac.Write([]byte("flowform view token " + strconv.FormatInt(seq, 10)))
	return tokenEncoding.EncodeToString(mac.Sum(nil))[:26]
}

// key hashes a token for storage and lookup.
func key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// plausible reports whether s looks like a token at all; anything else is
// answered "not found" without a database lookup.
func plausible(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// newInstanceID names this process as the owner of its deliveries.
func newInstanceID() string { return "i-" + rand.Text()[:16] }
