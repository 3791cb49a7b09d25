package synth

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// csvFile writes one CSV file row by row through a buffer: fields are
// appended to a line, quoted only when they need it (RFC 4180), and the
// line goes to the buffer when the row ends.
type csvFile struct {
	name  string // relative to the output directory
	f     *os.File
	w     *bufio.Writer
	line  []byte
	first bool
	rows  int64
	bytes int64
	gen   *generator
}

func (g *generator) create(name string, header ...string) (*csvFile, error) {
	path := filepath.Join(g.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	c := &csvFile{name: name, f: f, w: bufio.NewWriterSize(f, 1<<20), first: true, gen: g}
	for _, h := range header {
		c.str(h)
	}
	c.line = append(c.line, '\n')
	c.bytes += int64(len(c.line))
	_, err = c.w.Write(c.line)
	c.line, c.first = c.line[:0], true
	if err != nil {
		f.Close()
		return nil, err
	}
	g.open = append(g.open, c)
	return c, nil
}

func (c *csvFile) sep() {
	if !c.first {
		c.line = append(c.line, ',')
	}
	c.first = false
}

// str appends a text field.
func (c *csvFile) str(s string) {
	c.sep()
	if !strings.ContainsAny(s, ",\"\r\n") && (s == "" || (s[0] != ' ' && s[len(s)-1] != ' ')) {
		c.line = append(c.line, s...)
		return
	}
	c.line = append(c.line, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			c.line = append(c.line, '"')
		}
		c.line = append(c.line, s[i])
	}
	c.line = append(c.line, '"')
}

// int appends a whole number.
func (c *csvFile) int(n int64) {
	c.sep()
	c.line = strconv.AppendInt(c.line, n, 10)
}

// score appends a score already rounded to 4 decimals, in its shortest form
// (0.7, 0.8149), as the Kemendesa files write them.
func (c *csvFile) score(v float64) {
	c.sep()
	c.line = strconv.AppendFloat(c.line, v, 'f', -1, 64)
}

// date appends YYYY-MM-DD; the zero date is an empty field.
func (c *csvFile) date(t time.Time) {
	c.sep()
	if t.IsZero() {
		return
	}
	c.line = t.AppendFormat(c.line, time.DateOnly)
}

// dotted appends a flat region code dotted.
func (c *csvFile) dotted(flat string) {
	c.sep()
	c.line = appendDotted(c.line, flat)
}

func appendDotted(b []byte, flat string) []byte {
	for i := 0; i < len(flat); i++ {
		if i == 2 || i == 4 || i == 6 {
			b = append(b, '.')
		}
		b = append(b, flat[i])
	}
	return b
}

// end finishes the row.
func (c *csvFile) end() error {
	c.line = append(c.line, '\n')
	c.bytes += int64(len(c.line))
	_, err := c.w.Write(c.line)
	c.line, c.first = c.line[:0], true
	c.rows++
	if c.rows&0xfff == 0 {
		c.gen.tick(c)
	}
	return err
}

// close flushes and closes the file and records it.
func (c *csvFile) close() error {
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	g := c.gen
	for i, o := range g.open {
		if o == c {
			g.open = append(g.open[:i], g.open[i+1:]...)
			break
		}
	}
	g.files = append(g.files, FileCount{Name: c.name, Rows: c.rows, Bytes: c.bytes})
	g.report(c, true)
	return nil
}

// Progress is what the generator reports while it writes: about once per
// Options.ProgressEvery and when a file is complete.
type Progress struct {
	File       string        // the file being written (or completed)
	FileRows   int64         // its data rows so far
	TotalRows  int64         // data rows over all files so far
	Elapsed    time.Duration // since generation started
	RowsPerSec float64       // TotalRows / Elapsed
	FileDone   bool          // File is complete
}

// tick reports progress when it is due, and notices cancellation.
func (g *generator) tick(c *csvFile) {
	if g.ctx.Err() != nil && g.err == nil {
		g.err = context.Cause(g.ctx)
	}
	if g.progress == nil {
		return
	}
	if now := time.Now(); now.Sub(g.lastReport) >= g.every {
		g.report(c, false)
	}
}

func (g *generator) report(c *csvFile, done bool) {
	if g.progress == nil {
		return
	}
	g.lastReport = time.Now()
	total := int64(0)
	for _, f := range g.files {
		total += f.Rows
	}
	for _, o := range g.open {
		total += o.rows
	}
	el := time.Since(g.start)
	rate := 0.0
	if el > 0 {
		rate = float64(total) / el.Seconds()
	}
	g.progress(Progress{File: c.name, FileRows: c.rows, TotalRows: total, Elapsed: el, RowsPerSec: rate, FileDone: done})
}
