package tabular

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// referenceCSV reads content the way tabular read CSV before its fast path:
// every record through encoding/csv, the raw text recorded between input
// offsets. The fast reader must give the same records and errors.
func referenceCSV(content string) (header []string, recs []Record, err error) {
	in, comma, err := prepareCSV(strings.NewReader(content))
	if err != nil {
		return nil, nil, errors.New("bad header") // the file is refused before its header
	}
	rec := &refRecorder{r: in}
	cr := csv.NewReader(rec)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	next := func() (Record, error) {
		for {
			from := cr.InputOffset()
			fields, err := cr.Read()
			to := cr.InputOffset()
			raw := strings.Trim(rec.take(from, to), "\r\n")
			if err == io.EOF {
				return Record{}, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine && rec.eof && len(rec.buf) == 0 {
					return Record{}, fmt.Errorf("%w: line %d: a quoted field opened here never closes (it runs to the end of the file)", ErrFormat, pe.StartLine)
				}
				return Record{Line: pe.StartLine, Raw: raw, Problem: quotingProblem(pe)}, nil
			}
			if err != nil {
				return Record{}, err
			}
			blank, invalid := trimFields(fields)
			if blank {
				continue
			}
			line, _ := cr.FieldPos(0)
			return Record{Line: line, Fields: fields, Raw: raw, InvalidUTF8: invalid}, nil
		}
	}
	for {
		r, err := next()
		if err == io.EOF && header == nil {
			return nil, nil, errors.New("bad header") // no header row
		}
		if err == io.EOF {
			return header, recs, nil
		}
		if err != nil && header == nil {
			return nil, nil, errors.New("bad header")
		}
		if err != nil {
			return header, recs, err
		}
		if header == nil {
			if r.Problem != "" || r.InvalidUTF8 {
				return nil, nil, errors.New("bad header")
			}
			header = trimTrailingEmpty(r.Fields)
			if header == nil {
				header = []string{}
			}
			continue
		}
		r.Fields = fitWidth(r.Fields, len(header), false)
		recs = append(recs, r)
	}
}

type refRecorder struct {
	r    io.Reader
	buf  []byte
	base int64
	eof  bool
}

func (rc *refRecorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	rc.buf = append(rc.buf, p[:n]...)
	if err == io.EOF {
		rc.eof = true
	}
	return n, err
}

func (rc *refRecorder) take(from, to int64) string {
	lo, hi := from-rc.base, to-rc.base
	if lo < 0 || hi < lo || hi > int64(len(rc.buf)) {
		return ""
	}
	s := string(rc.buf[lo:hi])
	rc.buf = rc.buf[hi:]
	rc.base = to
	return s
}

// fastCSV reads content with the table's reader.
func fastCSV(content string) (header []string, recs []Record, err error) {
	tbl, err := fromCSV("x.csv", strings.NewReader(content))
	if err != nil {
		return nil, nil, errors.New("bad header")
	}
	defer tbl.Close()
	header = tbl.Header()
	if header == nil {
		header = []string{}
	}
	for {
		r, err := tbl.Next()
		if err == io.EOF {
			return header, recs, nil
		}
		if err != nil {
			return header, recs, errors.Unwrap(err) // without the "read x.csv: " prefix
		}
		recs = append(recs, r)
	}
}

func checkSameAsReference(t *testing.T, content string) {
	t.Helper()
	wantHeader, want, wantErr := referenceCSV(content)
	gotHeader, got, gotErr := fastCSV(content)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() && wantErr.Error() != "bad header" {
		t.Fatalf("input %q:\nerror %v\nwant  %v", content, gotErr, wantErr)
	}
	if wantErr != nil && wantErr.Error() == "bad header" {
		return
	}
	if !reflect.DeepEqual(gotHeader, wantHeader) {
		t.Fatalf("input %q:\nheader %q\nwant   %q", content, gotHeader, wantHeader)
	}
	if len(got) != len(want) {
		t.Fatalf("input %q:\ngot %d records %+v\nwant %d %+v", content, len(got), got, len(want), want)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("input %q: record %d\ngot  %+v\nwant %+v", content, i, got[i], want[i])
		}
	}
}

// TestCSVMatchesEncodingCSV compares the fast reader with encoding/csv on
// random text made of the characters that matter: delimiters, quotes, line
// ends, spaces, non-ASCII and invalid UTF-8.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"a", "bc", ",", ",", ";", "\t", "\"", "\"\"", "\n", "\n", "\r\n", "\r", " ", "é", "\xff", "\u00a0", "1", "x,y", "\n\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var b strings.Builder
		b.WriteString([]string{"h1,h2,h3\n", "h1;h2\n", "a\tb\n", "", "\"h\",x\n"}[i%5])
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		checkSameAsReference(t, b.String())
	}
	for _, s := range []string{
		"a,b\n1,\"x\ny\"\n2,z\n",
		"a,b\n1,\"never\n2,3\n",
		"a,b\n\"1\"x,2\n3,4\n",
		"a,b\r\n1,2\r\n\r\n3,4\r",
		"a,b\n" + strings.Repeat("x", 100_000) + ",\"" + strings.Repeat("y", 70_000) + "\"\n1,2\n",
		"a,b\n" + strings.Repeat("z", 200_000) + "\n1,2",
	} {
		checkSameAsReference(t, s)
	}
}

func FuzzCSVMatchesEncodingCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\n1,\"x\ny\"\n2,z\n", "a;b\r\n\"1\";2\r\n", "a,b\n1,\"2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return // refused as binary before any record is read
		}
		checkSameAsReference(t, s)
	})
}
