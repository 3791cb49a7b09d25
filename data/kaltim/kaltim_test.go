package kaltim_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/data/kaltim"
)

// sums reads a SHA256SUMS file: file name -> hex digest.
func sums(t *testing.T, body []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		digest, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q: want '<digest>  <name>'", sc.Text())
		}
		out[name] = digest
	}
	return out
}

func digest(body []byte) string {
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}

// Every shipped file is listed in SHA256SUMS with its digest, and every
// listed file is shipped.
func TestShippedFilesMatchTheirChecksums(t *testing.T) {
	list, err := fs.ReadFile(kaltim.Files(), "SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	want := sums(t, list)
	entries, err := fs.ReadDir(kaltim.Files(), ".")
	if err != nil {
		t.Fatal(err)
	}
	shipped := 0
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" {
			continue
		}
		shipped++
		body, err := fs.ReadFile(kaltim.Files(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := want[e.Name()]; !ok {
			t.Errorf("%s is shipped but not in SHA256SUMS", e.Name())
		} else if d != digest(body) {
			t.Errorf("%s: SHA-256 %s, SHA256SUMS says %s", e.Name(), digest(body), d)
		}
	}
	if shipped != len(want) {
		t.Errorf("%d files shipped, SHA256SUMS lists %d", shipped, len(want))
	}
}

// The copies are identical to the project's shared reference data, where
// that is present beside the repository (it is on developers' machines and
// in CI; a clone elsewhere has only the copies).
func TestCopiesAreIdenticalToTheSharedData(t *testing.T) {
	shared := os.Getenv("SINERGI_SHARED_DATA")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(shared); errors.Is(err, fs.ErrNotExist) {
		t.Logf("no shared data at %s: only the checksums of the copies were checked", shared)
		return
	}
	entries, err := fs.ReadDir(kaltim.Files(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" {
			continue
		}
		ours, err := fs.ReadFile(kaltim.Files(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := os.ReadFile(filepath.Join(shared, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if !bytes.Equal(ours, theirs) {
			t.Errorf("%s differs from %s: copy the shared file again and update SHA256SUMS", e.Name(), filepath.Join(shared, e.Name()))
		}
	}
}
