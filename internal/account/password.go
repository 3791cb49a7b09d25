package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Password hashing: argon2id (RFC 9106) from golang.org/x/crypto, with the
// parameters OWASP's Password Storage Cheat Sheet gives as its first choice
// (19 MiB, 2 passes, 1 lane), a 16-byte random salt and a 32-byte key,
// stored as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 without padding>$<key>
//
// The parameters travel with each hash, so raising them later leaves the
// hashes made before verifiable. Verifying compares in constant time.
const (
	argonMemoryKiB = 19 * 1024
	argonPasses    = 2
	argonLanes     = 1
	argonSaltBytes = 16
	argonKeyBytes  = 32
	// MinPasswordLength and MaxPasswordLength bound a password (bytes):
	// long enough to resist guessing, short enough that hashing one is cheap.
	MinPasswordLength = 12
	MaxPasswordLength = 1024
)

// argonLimits bound the parameters a stored hash may ask for, so that a
// tampered row cannot make verifying one take gigabytes.
const (
	argonMaxMemoryKiB = 256 * 1024
	argonMaxPasses    = 10
	argonMaxLanes     = 16
)

// CheckPassword says what is wrong with a new password, nil when nothing.
func CheckPassword(password string) error {
	switch {
	case len(password) < MinPasswordLength:
		return fault.Invalid("a password needs at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return fault.Invalid("a password may have at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the PHC string of password's argon2id hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonPasses, argonMemoryKiB, argonLanes, argonKeyBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonPasses, argonLanes,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string hash; a
// hash it cannot read matches nothing.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var memory, passes uint32
	var lanes uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &lanes); err != nil ||
		memory == 0 || memory > argonMaxMemoryKiB || passes == 0 || passes > argonMaxPasses || lanes == 0 || lanes > argonMaxLanes {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, lanes, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
