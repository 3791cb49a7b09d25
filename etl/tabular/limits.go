package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Limits bound what a source file may make sinergi read, so that a small
// file cannot take the machine's memory (a 1.5 MB XLSX can unpack to
// gigabytes). Loads and uploads check them before reading a file.
type Limits struct {
	// MaxWorkbookBytes bounds the unpacked size of all parts of an XLSX
	// workbook together (sheets, shared strings, styles).
	MaxWorkbookBytes int64
	// MaxSheets bounds the worksheets of a workbook.
	MaxSheets int
	// MaxRows bounds the rows of one worksheet (Excel's own limit is
	// 1,048,576).
	MaxRows int
	// MaxCells bounds the cells of one worksheet.
	MaxCells int64
	// MaxLineBytes bounds one line of a CSV file: a longer line is refused
	// as a record (its first bytes kept for the reject), not read whole.
	MaxLineBytes int
	// MaxFieldBytes bounds one field or cell as read: a row with a longer
	// one is refused, keeping 4 KB of it (a cell of an XLSX shared string
	// can be as large as the workbook). What a field may hold is then each
	// dataset's rule (etl: 4,000 characters).
	MaxFieldBytes int
}

// DefaultLimits are the limits of every load, documented in README.md
// ("Size limits"): 512 MiB unpacked, 32 sheets, 1,048,576 rows and
// 20,000,000 cells per sheet, 1 MiB per CSV line and per field. A
// national register comes as CSV; a workbook at these limits holds more
// than a kabupaten's.
var DefaultLimits = Limits{
	MaxWorkbookBytes: 512 << 20,
	MaxSheets:        32,
	MaxRows:          1 << 20,
	MaxCells:         20_000_000,
	MaxLineBytes:     1 << 20,
	MaxFieldBytes:    1 << 20,
}

// ErrTooLarge marks a file beyond Limits. It is also an ErrFormat: the file
// as a whole is refused.
var ErrTooLarge = errors.New("file exceeds sinergi's limits")

func tooLarge(name, format string, args ...any) error {
	return fmt.Errorf("open %s: %w: %w: %s", name, ErrFormat, ErrTooLarge, fmt.Sprintf(format, args...))
}

// CheckWorkbook refuses an XLSX workbook beyond lim before anything reads
// it: from the zip directory, the unpacked size and the number of
// worksheets; then, unpacking each worksheet as a stream without keeping
// it, its rows and cells (a worksheet's own dimension may lie or be
// missing). Memory stays at a few buffers whatever the workbook holds.
func CheckWorkbook(path string, lim Limits) error {
	name := filepath.Base(path)
	zr, err := zip.OpenReader(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("open %s: %w", name, err)
		}
		return fmt.Errorf("open %s: %w: not a readable XLSX workbook: %w", name, ErrFormat, err)
	}
	defer zr.Close()
	var total uint64
	var sheets []*zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") {
			sheets = append(sheets, f)
		}
	}
	switch {
	case total > uint64(lim.MaxWorkbookBytes):
		return tooLarge(name, "it unpacks to %d MB, more than the %d MB a workbook may hold; save the tables as CSV files",
			total>>20, lim.MaxWorkbookBytes>>20)
	case len(sheets) > lim.MaxSheets:
		return tooLarge(name, "it has %d worksheets, more than %d", len(sheets), lim.MaxSheets)
	}
	for _, f := range sheets {
		rows, cells, err := countSheet(f, lim)
		if err != nil {
			return fmt.Errorf("open %s: %w: %s: %w", name, ErrFormat, f.Name, err)
		}
		sheet := strings.TrimSuffix(filepath.Base(f.Name), ".xml")
		switch {
		case rows > lim.MaxRows:
			return tooLarge(name, "%s has more than %d rows", sheet, lim.MaxRows)
		case cells > lim.MaxCells:
			return tooLarge(name, "%s has more than %d cells", sheet, lim.MaxCells)
		}
	}
	return nil
}

// countSheet counts a worksheet's <row> and <c> elements as it unpacks,
// stopping once either is past its limit; f's size in the zip directory
// may lie too, so no more than the workbook limit is unpacked.
func countSheet(f *zip.File, lim Limits) (rows int, cells int64, err error) {
	rc, err := f.Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	in := bufio.NewReaderSize(io.LimitReader(rc, lim.MaxWorkbookBytes+1), 64<<10)
	var read int64
	var carry []byte // the end of the previous chunk: a tag may span two
	buf := make([]byte, 64<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			read += int64(n)
			chunk := append(carry, buf[:n]...)
			rows += countTags(chunk, "<row", len(carry))
			cells += int64(countTags(chunk, "<c", len(carry)))
			if rows > lim.MaxRows || cells > lim.MaxCells || read > lim.MaxWorkbookBytes {
				return rows, cells, nil
			}
			carry = append(carry[:0], chunk[max(0, len(chunk)-8):]...)
		}
		if err == io.EOF {
			return rows, cells, nil
		}
		if err != nil {
			return rows, cells, err
		}
	}
}

// countTags counts the elements named by tag ("<row", "<c") in chunk that
// end after skip (those before were counted with the previous chunk).
func countTags(chunk []byte, tag string, skip int) int {
	n := 0
	for i := 0; ; {
		j := bytes.Index(chunk[i:], []byte(tag))
		if j < 0 {
			return n
		}
		end := i + j + len(tag)
		if end >= len(chunk) {
			return n // decided with the next chunk
		}
		if c := chunk[end]; (c == ' ' || c == '>' || c == '/') && end >= skip {
			n++
		}
		i = end
	}
}

// checkedWorkbooks remembers the workbooks that passed CheckWorkbook, by
// path, size and time, so that a register read sheet by sheet is checked
// once.
var checkedWorkbooks sync.Map

type workbookKey struct {
	path string
	size int64
	mod  time.Time
}

func checkWorkbookOnce(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	key := workbookKey{path, fi.Size(), fi.ModTime()}
	if _, ok := checkedWorkbooks.Load(key); ok {
		return nil
	}
	if err := CheckWorkbook(path, DefaultLimits); err != nil {
		return err
	}
	checkedWorkbooks.Store(key, true)
	return nil
}
