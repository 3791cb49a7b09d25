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
	"unicode/utf8"
)

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
	return newTable(source, "", newCSVSource(in, byte(comma), closer))
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

// csvSource reads CSV records as encoding/csv does (RFC 4180, no lazy
// quotes, "\r\n" read as "\n", empty lines skipped), faster: a line without
// a quote, which is nearly every line of an export, is split in place, in
// one allocation; only a record that has a quote goes through encoding/csv,
// which reads it line by line from the same input.
type csvSource struct {
	in    *bufio.Reader
	comma byte
	line  int    // number of the last line read
	long  []byte // a line longer than in's buffer
	cut   int    // bytes of the last line dropped past MaxLineBytes
	eof   bool   // in is exhausted
	arena []string

	quoted *csv.Reader // reads the records that have a quote, from feed
	feed   *lineFeed
	closer io.Closer
}

func newCSVSource(in *bufio.Reader, comma byte, closer io.Closer) *csvSource {
	s := &csvSource{in: in, comma: comma, closer: closer}
	s.feed = &lineFeed{src: s}
	s.quoted = csv.NewReader(s.feed)
	s.quoted.Comma = rune(comma)
	s.quoted.FieldsPerRecord = -1 // a short or long row is the caller's reject, not a fatal error
	s.quoted.LazyQuotes = false
	return s
}

// readLine returns the next line with its end, valid until the next read;
// io.EOF after the last.
func (s *csvSource) readLine() ([]byte, error) {
	if s.eof {
		return nil, io.EOF
	}
	line, err := s.in.ReadSlice('\n')
	s.cut = 0
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.in.ReadSlice('\n')
			if len(s.long)+len(line) > DefaultLimits.MaxLineBytes {
				// Past the limit, the line is only counted: it becomes a
				// reject that keeps its beginning.
				s.cut += len(line)
				continue
			}
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err == io.EOF {
		s.eof = true
		if len(line) > 0 {
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	s.line++
	return line, nil
}

func (s *csvSource) next() (Record, error) {
	for {
		raw, err := s.readLine()
		if err != nil {
			return Record{}, err
		}
		if s.cut > 0 {
			return Record{Line: s.line, Raw: string(raw[:min(len(raw), 4096)]),
				Problem: fmt.Sprintf("line of %d bytes, longer than the %d a line may have", len(raw)+s.cut, DefaultLimits.MaxLineBytes)}, nil
		}
		if bytes.IndexByte(raw, '"') >= 0 {
			rec, blank, err := s.nextQuoted(raw)
			if err != nil || !blank {
				return rec, err
			}
			continue
		}
		// As encoding/csv: the line end goes, and a '\r' before it (or
		// before the end of the file).
		body := raw
		if n := len(body); n > 0 && body[n-1] == '\n' {
			body = body[:n-1]
		}
		if n := len(body); n > 0 && body[n-1] == '\r' {
			body = body[:n-1]
		}
		if len(body) == 0 {
			continue // an empty line
		}
		text := string(body)
		rawText := text
		if trimmed := bytes.Trim(raw, "\r\n"); len(trimmed) != len(body) || (len(trimmed) > 0 && &trimmed[0] != &body[0]) {
			rawText = string(trimmed)
		}
		fields := s.fields(1 + strings.Count(text, string(s.comma)))
		rest := text
		for i := 0; i < len(fields)-1; i++ {
			j := strings.IndexByte(rest, s.comma)
			fields[i], rest = rest[:j], rest[j+1:]
		}
		fields[len(fields)-1] = rest
		// The delimiter is ASCII, so the line is valid UTF-8 exactly when
		// every field is.
		invalid := !utf8.ValidString(text)
		if trimOnly(fields) {
			continue
		}
		return Record{Line: s.line, Fields: fields, Raw: rawText, InvalidUTF8: invalid}, nil
	}
}

// fields returns a slice for n fields, cut from a block shared by many
// records: one allocation for thousands of rows. Each slice is capped, so
// appending to it never touches another record's.
func (s *csvSource) fields(n int) []string {
	if len(s.arena) < n {
		s.arena = make([]string, max(n, 4096))
	}
	f := s.arena[:n:n]
	s.arena = s.arena[n:]
	return f
}

// nextQuoted reads a record whose first line, first, has a quote, with
// encoding/csv. blank reports a record of empty fields, to be skipped.
func (s *csvSource) nextQuoted(first []byte) (rec Record, blank bool, err error) {
	start := s.line
	// csv numbers the lines it reads itself, and reads only these records:
	// offset turns its numbers into the file's.
	offset := start - (s.feed.served + 1)
	s.feed.begin(first)
	fields, err := s.quoted.Read()
	raw := strings.Trim(string(s.feed.took), "\r\n")
	s.feed.end()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		pe.StartLine += offset
		pe.Line += offset
		// A quote that never closes swallows every later line into one
		// field; refusing one giant record would hide how much was lost.
		if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine && s.feed.atEnd() {
			return Record{}, false, fmt.Errorf("%w: line %d: a quoted field opened here never closes (it runs to the end of the file)", ErrFormat, pe.StartLine)
		}
		return Record{Line: pe.StartLine, Raw: raw, Problem: quotingProblem(pe)}, false, nil
	}
	if err != nil {
		return Record{}, false, err
	}
	blank, invalid := trimFields(fields)
	return Record{Line: start, Fields: fields, Raw: raw, InvalidUTF8: invalid}, blank, nil
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

// lineFeed hands encoding/csv the input one line at a time, so that it
// reads no further than the record it is asked for, and keeps the bytes it
// handed out for the record's raw text.
type lineFeed struct {
	src    *csvSource
	cur    []byte // what is left of the line being handed out
	buf    []byte // holds cur
	took   []byte // bytes handed out for the current record
	served int    // lines handed out so far
}

// begin starts a record at line, which the source has already read.
func (f *lineFeed) begin(line []byte) {
	f.buf = append(f.buf[:0], line...)
	f.cur = f.buf
	f.served++
	f.took = f.took[:0]
}

// end forgets the record's bytes (a giant record's buffer goes too).
func (f *lineFeed) end() {
	if cap(f.took) > 1<<20 {
		f.took = nil
	}
	if cap(f.buf) > 1<<20 {
		f.buf, f.cur = nil, nil
	}
}

func (f *lineFeed) Read(p []byte) (int, error) {
	if len(f.cur) == 0 {
		line, err := f.src.readLine()
		if err != nil {
			return 0, err
		}
		f.buf = append(f.buf[:0], line...)
		f.cur = f.buf
		f.served++
	}
	n := copy(p, f.cur)
	f.took = append(f.took, f.cur[:n]...)
	f.cur = f.cur[n:]
	return n, nil
}

// atEnd reports whether the input is exhausted and fully handed out.
func (f *lineFeed) atEnd() bool { return f.src.eof && len(f.cur) == 0 }
