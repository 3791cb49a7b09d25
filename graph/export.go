package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/label"
)

// Exports: the list a GraphQL query selects, as CSV or XLSX, for notebooks
// (pandas.read_csv(url)) and office spreadsheets:
//
//	GET /export.csv?query=<GraphQL>&variables=<JSON>&lang=id
//	GET /export.xlsx?query=…
//
// (POST takes the same JSON body as /graphql, with lang and path in the
// address.) The query runs through the handler /graphql serves — the same
// limits, admission, result cache and access rules; request headers are
// passed on — and its answer is flattened: each item of the list it selects
// is a row, nested fields are dotted columns (region.name), lists of values
// are joined with "; ", lists of objects are numbered (byStatus.1.count).
// So every number is the GraphQL answer's, as written there. See
// docs/notebooks.md.

type exportFormat int

const (
	exportCSV exportFormat = iota
	exportXLSX
)

// maxExportQuery bounds the query and variables of an export request; the
// GraphQL handler applies its own limits to what it receives.
const maxExportQuery = 1 << 20

// exporter serves one format over the GraphQL handler api.
type exporter struct {
	api    http.Handler
	schema *ast.Schema
	format exportFormat
	log    *slog.Logger
}

// NewExport returns the handler of /export.csv (xlsx false) or
// /export.xlsx over api, the handler /graphql serves: whatever guards
// /graphql must guard it too.
func NewExport(api http.Handler, log *slog.Logger, xlsx bool) http.Handler {
	e := &exporter{api: api, schema: NewExecutableSchema(Config{}).Schema(), format: exportCSV, log: log}
	if xlsx {
		e.format = exportXLSX
	}
	return e
}

// exportRequest is what an export asks for.
type exportRequest struct {
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	OperationName string          `json:"operationName,omitempty"`
	lang          label.Language  // "" for GraphQL's own names and values
	path          []string        // the list to export; nil to find it
}

func (e *exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := readExportRequest(w, r)
	if err != nil {
		writeExportError(w, http.StatusBadRequest, fault.CodeBadInput, err.Error())
		return
	}
	data, ok := e.answer(w, r, req)
	if !ok {
		return
	}
	plan, err := planExport(e.schema, req)
	if err != nil {
		writeExportError(w, http.StatusBadRequest, fault.CodeBadInput, err.Error())
		return
	}
	items := func(fn func(any) error) error { return plan.eachItem(data, fn) }
	if plan.pageVariable != "" {
		pages, err := e.allPages(w, r, req, plan, data)
		if pages == nil {
			if err != nil {
				e.log.ErrorContext(r.Context(), "export failed", "err", err)
				writeExportError(w, http.StatusInternalServerError, fault.CodeInternal, "internal error")
			}
			return // the error is answered
		}
		defer pages.Close()
		items = pages.each
	}
	if err := e.write(w, plan, items); err != nil && !errors.Is(err, errClientGone) {
		e.log.ErrorContext(r.Context(), "export failed", "err", err)
	}
}

// answer runs the query and returns the data of its answer; when the query
// fails it answers the client itself, with the GraphQL errors as /graphql
// gives them (a partial answer is never exported).
func (e *exporter) answer(w http.ResponseWriter, r *http.Request, req exportRequest) (json.RawMessage, bool) {
	status, body := e.run(r, req)
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		if status == http.StatusOK {
			status = http.StatusInternalServerError
		}
		writeExportError(w, status, fault.CodeInternal, strings.TrimSpace(string(body)))
		return nil, false
	}
	if status == http.StatusOK && len(answer.Errors) == 0 {
		return answer.Data, true
	}
	if status == http.StatusOK {
		status = exportStatus(answer.Errors[0].Extensions.Code)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return nil, false
}

// readExportRequest reads the query from the address (GET) or the body
// (POST), and lang and path from the address.
func readExportRequest(w http.ResponseWriter, r *http.Request) (exportRequest, error) {
	var req exportRequest
	params := r.URL.Query()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		req.Query, req.OperationName = params.Get("query"), params.Get("operationName")
		if v := params.Get("variables"); v != "" {
			req.Variables = json.RawMessage(v)
		}
	case http.MethodPost:
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxExportQuery)).Decode(&req); err != nil {
			return req, fmt.Errorf("the body must be JSON as for /graphql: {\"query\": …, \"variables\": …}: %v", err)
		}
	default:
		return req, fmt.Errorf("use GET (or POST) for exports")
	}
	if req.Query == "" {
		return req, fmt.Errorf("give the GraphQL query: ?query=…")
	}
	if len(req.Query)+len(req.Variables) > maxExportQuery {
		return req, fmt.Errorf("the query and variables are longer than %d bytes", maxExportQuery)
	}
	if len(req.Variables) > 0 && !json.Valid(req.Variables) {
		return req, fmt.Errorf("variables must be a JSON object")
	}
	switch lang := strings.ToLower(params.Get("lang")); lang {
	case "":
	case "id", "en":
		req.lang = label.Language(lang)
	default:
		return req, fmt.Errorf("lang must be id or en")
	}
	if p := params.Get("path"); p != "" {
		req.path = strings.Split(p, ".")
	}
	return req, nil
}

// run executes the query through the GraphQL handler, as a POST from the
// same client (its headers, but asking for plain JSON), and returns the
// status and body of the answer.
func (e *exporter) run(r *http.Request, req exportRequest) (int, []byte) {
	// Neither can fail: strings and valid JSON; a fixed method and path.
	body, _ := json.Marshal(req)
	inner, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	for k, vs := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Type", "Content-Length", "Accept", "Accept-Encoding", "If-None-Match", "If-Modified-Since":
		default:
			inner.Header[k] = vs
		}
	}
	inner.Header.Set("Content-Type", "application/json")
	inner.Header.Set("Accept", "application/json")
	inner.RemoteAddr = r.RemoteAddr
	rec := &answerRecorder{header: http.Header{}, status: http.StatusOK}
	e.api.ServeHTTP(rec, inner)
	return rec.status, rec.body.Bytes()
}

// answerRecorder keeps the GraphQL handler's answer.
type answerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answerRecorder) Header() http.Header         { return a.header }
func (a *answerRecorder) WriteHeader(status int)      { a.status = status }
func (a *answerRecorder) Write(p []byte) (int, error) { return a.body.Write(p) }

// exportStatus is the HTTP status of an export whose query failed with a
// GraphQL error code.
func exportStatus(code string) int {
	switch code {
	case fault.CodeNotFound:
		return http.StatusNotFound
	case fault.CodeUnavailable:
		return http.StatusServiceUnavailable
	case fault.CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest // the request is what must change
}

func writeExportError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": code}}}})
}

// errClientGone is a write to a client that went away: nothing to report.
var errClientGone = errors.New("export: the client went away")

// exportWriter writes rows as they come.
type exportWriter interface {
	header([]string) error
	row([]exportCell) error
	close() error
}

// write writes the items each calls its function with. The first pass
// finds how many items each list of objects has at most (its numbered
// columns); the second writes the rows. Both read the items one by one,
// never the whole list at once.
func (e *exporter) write(w http.ResponseWriter, plan *exportPlan, each func(func(any) error) error) error {
	if err := each(plan.measure); err != nil {
		return err
	}
	var out exportWriter
	name := plan.fileName()
	switch e.format {
	case exportXLSX:
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		out = newXLSXWriter(w, name)
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		out = newCSVWriter(w)
	}
	if err := out.header(plan.headers()); err != nil {
		return err
	}
	if err := each(func(item any) error { return out.row(plan.cells(item)) }); err != nil {
		return err
	}
	return out.close()
}

// writeGone marks write errors, which mean the client went away.
func writeGone(err error) error {
	if err != nil {
		return fmt.Errorf("%w: %v", errClientGone, err)
	}
	return nil
}
