package account_test

import (
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/internal/account"
)

func TestPasswordHashes(t *testing.T) {
	h, err := account.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := account.HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || h == h2 {
		t.Errorf("hashes %q, %q: want argon2id PHC strings with their own salts", h, h2)
	}
	if !account.VerifyPassword(h, "correct horse battery") {
		t.Error("the password does not match its hash")
	}
	parts := strings.Split(h, "$")
	for name, hash := range map[string]string{
		"wrong password":    h,
		"other algorithm":   strings.Replace(h, "argon2id", "argon2i", 1),
		"huge memory":       strings.Replace(h, "m=19456", "m=4194304", 1),
		"truncated":         h[:len(h)-10],
		"empty":             "",
		"salt of other one": strings.Join(append(append([]string{}, parts[:4]...), strings.Split(h2, "$")[4], parts[5]), "$"),
	} {
		pw := "correct horse battery"
		if name == "wrong password" {
			pw = "correct horse batterY"
		}
		if account.VerifyPassword(hash, pw) {
			t.Errorf("%s: verified", name)
		}
	}
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("x", 1025): false} {
		if err := account.CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%d bytes) = %v", len(pw), err)
		}
	}
}
