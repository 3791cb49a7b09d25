package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FromCSV reads a CSV table from r, for input that is not a named file (an
// upload, a test). source names it in messages and rejects.
func FromCSV(source string, r io.Reader) (*Table, error) {
	return newCSVTable(source, r, nil)
}

func openCSV(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	return newCSVTable(filepath.Base(path), f, f)
}

// newCSVTable checks the encoding, picks the delimiter and reads the header.
// closer, if not nil, is closed with the table.
func newCSVTable(source string, r io.Reader, closer io.Closer) (*Table, error) {
	in, comma, err := prepareCSV(r)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, fmt.Errorf("read %s: %w: %w", source, ErrFormat, err)
	}
	rec := &recorder{r: in}
	cr := csv.NewReader(rec)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // a short or long row is the caller's reject, not a fatal error
	cr.LazyQuotes = false
	return newTable(source, "", &csvSource{r: cr, rec: rec, closer: closer})
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// sniffSize is how much of the file is examined for encoding and delimiter.
const sniffSize = 64 << 10

// prepareCSV refuses encodings encoding/csv would misread, strips a UTF-8
// byte-order mark (Excel writes one) and guesses the delimiter from the first
// line.
func prepareCSV(r io.Reader) (*bufio.Reader, rune, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, _ := br.Peek(len(bomUTF8)) // a short file just yields fewer bytes
	switch {
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		return nil, 0, errors.New("file is UTF-16; save it as UTF-8 CSV")
	case bytes.HasPrefix(head, bomUTF8):
		br.Discard(len(bomUTF8))
	}
	sample, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, 0, err
	}
	// Text never holds NUL; UTF-16 without a byte-order mark is full of them.
	if bytes.IndexByte(sample, 0) >= 0 {
		return nil, 0, errors.New("file contains NUL bytes: it is binary or UTF-16; save it as UTF-8 CSV")
	}
	return br, sniffDelimiter(sample), nil
}

// sniffDelimiter picks the delimiter used most outside quotes on the first
// line: Excel in an Indonesian locale writes ';' because ',' is the decimal
// separator there. Ties go to ','.
func sniffDelimiter(sample []byte) rune {
	if i := bytes.IndexByte(sample, '\n'); i >= 0 {
		sample = sample[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range sample {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

type csvSource struct {
	r      *csv.Reader
	rec    *recorder
	closer io.Closer
}

func (s *csvSource) next() (Record, error) {
	for {
		from := s.r.InputOffset()
		fields, err := s.r.Read()
		to := s.r.InputOffset()
		raw := strings.Trim(s.rec.take(from, to), "\r\n")
		if err == io.EOF {
			return Record{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A quote that never closes swallows every later line into one
			// field; refusing one giant record would hide how much was lost.
			if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine && s.rec.atEnd() {
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
		line, _ := s.r.FieldPos(0)
		return Record{Line: line, Fields: fields, Raw: raw, InvalidUTF8: invalid}, nil
	}
}

func quotingProblem(pe *csv.ParseError) string {
	return fmt.Sprintf("malformed CSV quoting at line %d, column %d: %v (a field containing \" must be quoted, with the \" doubled)", pe.Line, pe.Column, pe.Err)
}

func (s *csvSource) close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// recorder keeps the bytes encoding/csv reads so that each record's exact
// text can be returned, even for a record csv could not parse.
type recorder struct {
	r    io.Reader
	buf  []byte // bytes read from r, starting at offset base
	base int64
	eof  bool
}

func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	rc.buf = append(rc.buf, p[:n]...)
	if err == io.EOF {
		rc.eof = true
	}
	return n, err
}

// take returns the text between two input offsets and forgets everything
// before the second, so memory holds one record plus csv's read-ahead.
func (rc *recorder) take(from, to int64) string {
	lo, hi := from-rc.base, to-rc.base
	if lo < 0 || hi < lo || hi > int64(len(rc.buf)) {
		return "" // offsets out of step: keep going without raw text
	}
	s := string(rc.buf[lo:hi])
	rc.buf = rc.buf[hi:]
	rc.base = to
	return s
}

// atEnd reports whether the input is exhausted and fully consumed.
func (rc *recorder) atEnd() bool { return rc.eof && len(rc.buf) == 0 }
