// Package submission lets an office send its own cooperation register:
// check it (the validation of a load, nothing written, the full report and
// the office's workbook annotated with why each refused row was refused),
// then submit it (loaded as a run by the ETL runner, the rows outside the
// editor's scope refused) with who sent which file recorded. The store is
// submissionch; the HTTP side is the GraphQL mutations (graph).
package submission

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/keyset"
)

// Registers are the register's format and its loads (etl/register): a
// file's own faults (its layout, format or size) come back as
// fault.Invalid, shown to the caller.
type Registers interface {
	// CheckWorkbook refuses a workbook beyond the workbook limits before
	// anything parses it.
	CheckWorkbook(path string) error
	// Check validates a register as a load would, writing nothing, and
	// finds the agreements outside p's scope (none for an admin).
	Check(ctx context.Context, paths []string, p *account.Principal) (Checked, error)
	// Load loads the files as a run of the register, refusing the rows
	// outside p's scope; a load that fails still returns its failed run.
	Load(ctx context.Context, p *account.Principal, paths []string) ([]ingest.Run, error)
	// Annotate writes the checked files back with why each row was
	// refused or looks wrong (notes: the rejects, then the warnings).
	Annotate(w io.Writer, paths []string, notes []ingest.Reject) error
	Publisher
}

// Checked is what validating a register found, nothing written.
type Checked struct {
	// RowsRead are the rows of every table; Agreements those accepted,
	// Outside of which lie outside the editor's scope.
	RowsRead, Agreements, Outside int
	// Rejects are every refused row, the scope's included; Warnings the
	// rows that would load but look wrong.
	Rejects, Warnings []ingest.Reject
}

// Auditor records what people changed (account.Service).
type Auditor interface {
	Record(ctx context.Context, actor, action, subject, detail string) error
}

// Store keeps who submitted which run.
type Store interface {
	SaveSubmission(ctx context.Context, s Submission) error
	// Submissions returns the submissions of the runs that have one.
	Submissions(ctx context.Context, runs []uint64) (map[uint64]Submission, error)
}

// File is a submitted file as received.
type File struct {
	Name   string
	Size   int64
	SHA256 string
	path   string
}

// Submission is a register an office sent and what came of it.
type Submission struct {
	RunID  uint64
	At     time.Time
	Actor  string
	Files  []File
	Status ingest.Status
	Error  string
	Run    ingest.Run
}

// Upload is a file as a request carries it.
type Upload struct {
	Name string
	Body io.Reader
}

// Limits bound what one submission may send. A workbook's own limits
// (unpacked size, sheets, rows, cells) are the Registers' (CheckWorkbook).
type Limits struct {
	MaxBytes int64 // all files together
	MaxFiles int
}

// DefaultLimits: 32 MiB, 4 files (a register's tables).
var DefaultLimits = Limits{MaxBytes: 32 << 20, MaxFiles: 4}

// Service checks and submits registers.
type Service struct {
	registers   Registers
	withdrawals WithdrawalStore
	current     CurrentAgreements
	store       Store
	audit       Auditor
	dir         string // submitted files are kept here, one directory each
	limits      Limits
	log         *slog.Logger
	checks      *expirable.LRU[string, *Report]
}

// MaxBytes is the most a submission's files may weigh together: the limit
// an office is told when its files are too large, whichever layer refuses
// them.
func (s *Service) MaxBytes() int64 { return s.limits.MaxBytes }

// checksKept and checkTTL bound the check reports kept for paging and
// the annotated workbook: an office reads its report within the hour.
const (
	checksKept = 64
	checkTTL   = time.Hour
)

// NewService returns a Service keeping submitted files under dir.
func NewService(registers Registers, current CurrentAgreements, store Store, withdrawals WithdrawalStore, audit Auditor, dir string, limits Limits, log *slog.Logger) *Service {
	return &Service{registers: registers, withdrawals: withdrawals, current: current, store: store, audit: audit, dir: dir, limits: limits, log: log,
		checks: expirable.NewLRU(checksKept, func(_ string, r *Report) { _ = os.RemoveAll(r.dir) }, checkTTL)}
}

// Report is what checking a register found; nothing was written.
type Report struct {
	ID    string
	Owner string // Principal.Actor: only its owner reads it
	Files []File
	// RowsRead are the rows of every table; Agreements those accepted,
	// Outside of which lie outside the editor's scope.
	RowsRead, Agreements, Outside int
	// Rejects are every refused row, the scope's included, in file, sheet
	// and line order; Warnings the rows that would load but look wrong.
	Rejects, Warnings []ingest.Reject
	dir               string
}

// requireEditor returns the principal of ctx, an editor or admin.
func requireEditor(ctx context.Context) (*account.Principal, error) {
	if err := account.Require(ctx, account.RoleEditor); err != nil {
		return nil, err
	}
	return account.FromContext(ctx), nil
}

// Check validates a register as a load would, writing nothing, and keeps
// the report for an hour (Report, AnnotatedWorkbook).
func (s *Service) Check(ctx context.Context, uploads []Upload) (*Report, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sinergi-check-")
	if err != nil {
		return nil, err
	}
	files, err := s.receive(uploads, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c, err := s.registers.Check(ctx, paths(files), p)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &Report{ID: randomID(), Owner: p.Actor(), Files: files, RowsRead: c.RowsRead, Agreements: c.Agreements,
		Outside: c.Outside, Rejects: c.Rejects, Warnings: c.Warnings, dir: dir}
	sortRejects(r.Rejects)
	sortRejects(r.Warnings)
	s.checks.Add(r.ID, r)
	return r, nil
}

// Report returns a check report of the caller's.
func (s *Service) Report(ctx context.Context, id string) (*Report, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := s.checks.Get(id)
	if !ok || r.Owner != p.Actor() {
		return nil, fault.NotFound("no check report %q (reports are kept for an hour, for whoever made them)", id)
	}
	return r, nil
}

// Submit loads a register as a run, refusing the rows outside the
// editor's scope, and records who sent which files and what came of it.
// A load that fails is recorded too; nothing of it becomes visible.
func (s *Service) Submit(ctx context.Context, uploads []Upload) (Submission, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return Submission{}, err
	}
	at := time.Now().UTC()
	dir := filepath.Join(s.dir, at.Format("20060102T150405Z")+"-"+randomID()[:8])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Submission{}, err
	}
	files, err := s.receive(uploads, dir)
	if err != nil {
		os.RemoveAll(dir)
		return Submission{}, err
	}
	runs, loadErr := s.registers.Load(ctx, p, paths(files))
	if len(runs) == 0 {
		os.RemoveAll(dir)
		if loadErr == nil {
			loadErr = errors.New("the load made no run")
		}
		return Submission{}, loadErr
	}
	run := runs[len(runs)-1]
	sub := Submission{RunID: run.ID, At: at.Truncate(time.Second), Actor: p.Actor(), Files: files, Status: run.Status, Error: run.Error, Run: run}
	// Recorded even when the request is gone: the run exists.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.SaveSubmission(bg, sub); err != nil {
		return sub, fmt.Errorf("recording the submission of run %d: %w", run.ID, err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = fmt.Sprintf("%s (%d bytes, sha256 %s)", f.Name, f.Size, f.SHA256)
	}
	detail := fmt.Sprintf("status=%s read=%d loaded=%d rejected=%d files=%s", run.Status, run.RowsRead, run.RowsLoaded, run.RowsRejected, strings.Join(names, "; "))
	if err := s.audit.Record(bg, p.Actor(), "register.submit", fmt.Sprint(run.ID), detail); err != nil {
		return sub, err
	}
	s.log.Info("register submitted", "run", run.ID, "by", p.Actor(), "status", run.Status, "rejected", run.RowsRejected)
	return sub, nil
}

// Submissions returns the submissions of the runs that have one.
func (s *Service) Submissions(ctx context.Context, runs []uint64) (map[uint64]Submission, error) {
	return s.store.Submissions(ctx, runs)
}

// receive writes the uploads into dir under their own names, within the
// limits, with their sizes and SHA-256, and refuses a workbook beyond the
// workbook limits before anything parses it.
func (s *Service) receive(uploads []Upload, dir string) ([]File, error) {
	if len(uploads) == 0 {
		return nil, fault.Invalid("no files: send the register as one .xlsx workbook or as its .csv files")
	}
	if len(uploads) > s.limits.MaxFiles {
		return nil, fault.Invalid("%d files: a register is at most %d files (one workbook, or one CSV file per table)", len(uploads), s.limits.MaxFiles)
	}
	left := s.limits.MaxBytes
	var files []File
	seen := map[string]bool{}
	workbooks := 0
	for _, u := range uploads {
		name, err := fileName(u.Name)
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(name)] {
			return nil, fault.Invalid("two files are named %q", name)
		}
		seen[strings.ToLower(name)] = true
		if strings.EqualFold(filepath.Ext(name), ".xlsx") {
			workbooks++
		}
		f := File{Name: name, path: filepath.Join(dir, name)}
		out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(u.Body, left+1))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("receiving %s: %w", name, err)
		}
		if n > left {
			return nil, fault.InputTooLarge(s.limits.MaxBytes, "the files are larger than %d MB together, more than a submission may be", s.limits.MaxBytes>>20)
		}
		left -= n
		f.Size, f.SHA256 = n, hex.EncodeToString(h.Sum(nil))
		files = append(files, f)
	}
	if workbooks > 1 || workbooks == 1 && len(files) > 1 {
		return nil, fault.Invalid("send one .xlsx workbook, or the .csv files of one register, not both or several workbooks")
	}
	for _, f := range files {
		if strings.EqualFold(filepath.Ext(f.Name), ".xlsx") {
			if err := s.registers.CheckWorkbook(f.path); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

// fileName keeps an upload's name if it is a plain .xlsx or .csv file
// name; the directory parts a browser or client may send are dropped.
func fileName(raw string) (string, error) {
	name := filepath.Base(strings.ReplaceAll(raw, `\`, "/"))
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && ext != ".csv" {
		return "", fault.Invalid("%q: a register is sent as one .xlsx workbook or as .csv files", raw)
	}
	if len(name) > 200 || strings.HasPrefix(name, ".") || strings.ContainsFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || r == '/' || r == ':'
	}) {
		return "", fault.Invalid("%q is not a file name sinergi keeps: use letters, digits, spaces, dots and dashes", raw)
	}
	return name, nil
}

func paths(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}

func sortRejects(rs []ingest.Reject) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Source != rs[j].Source {
			return rs[i].Source < rs[j].Source
		}
		if rs[i].Sheet != rs[j].Sheet {
			return rs[i].Sheet < rs[j].Sheet
		}
		return rs[i].Line < rs[j].Line
	})
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Page is a page of the report's rejects (warnings false) or warnings,
// as etlRejects pages a run's: first default 100, at most 1000.
func (r *Report) Page(warnings bool, req keyset.Request) (keyset.Page[ingest.Reject], error) {
	list := r.Rejects
	if warnings {
		list = r.Warnings
	}
	scope := keyset.NewScope("registerCheck", r.ID, strconv.FormatBool(warnings))
	seek, err := scope.Seek(req, 100, 1000)
	if err != nil {
		return keyset.Page[ingest.Reject]{}, err
	}
	start := 0
	if seek.After != nil {
		n, err := strconv.Atoi(seek.After[0])
		if err != nil || n < 0 || n >= len(list) {
			return keyset.Page[ingest.Reject]{}, fault.Invalid("after is not a cursor of this report")
		}
		start = n + 1
	}
	end := min(start+seek.Limit, len(list))
	items := make([]ingest.Reject, 0, end-start)
	keys := make([][]string, 0, end-start)
	for i := start; i < end; i++ {
		items = append(items, list[i])
		keys = append(keys, []string{strconv.Itoa(i)})
	}
	return keyset.NewPage(scope, items, keyset.Found{Keys: keys, TotalCount: len(list), HasNext: end < len(list), HasPrevious: start > 0}), nil
}

// AnnotatedWorkbook writes the checked register back as the office sent
// it, with a Keterangan column beside each table saying why each refused
// row was refused and what looks wrong in each row that loads with a
// warning (Registers.Annotate), and returns the workbook's file name.
func (s *Service) AnnotatedWorkbook(ctx context.Context, id string, w io.Writer) (name string, err error) {
	r, err := s.Report(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.registers.Annotate(w, paths(r.Files), append(slices.Clip(r.Rejects), r.Warnings...)); err != nil {
		return "", err
	}
	return strings.TrimSuffix(r.Files[0].Name, filepath.Ext(r.Files[0].Name)) + " - keterangan.xlsx", nil
}
