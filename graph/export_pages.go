package graph

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// A connection is exported whole when the query lets the export page
// through it: its after argument is a variable and it selects pageInfo {
// hasNextPage endCursor }. Each page goes through the GraphQL handler like
// the first (the same limits, one page at a time), and its items are kept
// in a temporary file, one JSON line each, until the last page: only then
// are the numbered columns known.

// maxExportItems bounds a paged export; ClickHouse's default result limit
// is the same.
const maxExportItems = 1_000_000

// spooledItems are the items of every page, in a temporary file.
type spooledItems struct {
	f *os.File
	n int
}

// allPages reads the pages after the first (whose data is given) into a
// spool. It answers the client itself when a page fails (then it returns
// nil and no error) or the pages hold too many items.
func (e *exporter) allPages(w http.ResponseWriter, r *http.Request, req exportRequest, plan *exportPlan, data json.RawMessage) (*spooledItems, error) {
	f, err := os.CreateTemp("", "sinergi-export-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("export spool: %w", err)
	}
	_ = os.Remove(f.Name()) // gone once closed, whatever happens
	sp := &spooledItems{f: f}
	out := bufio.NewWriter(f)
	for {
		err := plan.eachRawItem(data, func(item json.RawMessage) error {
			sp.n++
			_, _ = out.Write(item) // compact JSON from the handler: one line
			return out.WriteByte('\n')
		})
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("export spool: %w", err)
		}
		if sp.n > maxExportItems {
			f.Close()
			writeExportError(w, http.StatusBadRequest, fault.CodeBadInput,
				fmt.Sprintf("the list has more than %d items: narrow the filter", maxExportItems))
			return nil, nil
		}
		cursor, more, err := plan.nextPage(data)
		if err != nil || !more {
			if err == nil {
				err = out.Flush()
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("export spool: %w", err)
			}
			return sp, nil
		}
		if req.Variables, err = withVariable(req.Variables, plan.pageVariable, cursor); err != nil {
			f.Close()
			return nil, err
		}
		var ok bool
		if data, ok = e.answer(w, r, req); !ok {
			f.Close()
			return nil, nil
		}
	}
}

// each calls fn with every spooled item, in order.
func (s *spooledItems) each(fn func(any) error) error {
	if _, err := s.f.Seek(0, 0); err != nil {
		return err
	}
	lines := bufio.NewScanner(s.f)
	lines.Buffer(make([]byte, 64<<10), maxExportQuery*16) // an item is one object of a page
	for lines.Scan() {
		dec := json.NewDecoder(bytes.NewReader(lines.Bytes()))
		dec.UseNumber()
		var item any
		if err := dec.Decode(&item); err != nil {
			return err
		}
		if err := fn(item); err != nil {
			return err
		}
	}
	return lines.Err()
}

func (s *spooledItems) Close() error { return s.f.Close() }

// eachRawItem calls fn with each item of the list as the answer writes it.
func (p *exportPlan) eachRawItem(data json.RawMessage, fn func(json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, key := range p.list {
		found, err := seekKey(dec, key)
		if err != nil || !found {
			return err
		}
	}
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return err
		}
		var line bytes.Buffer
		if err := json.Compact(&line, item); err != nil {
			return err
		}
		if err := fn(line.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// nextPage reads the connection's pageInfo: the cursor to ask after, and
// whether there is more.
func (p *exportPlan) nextPage(data json.RawMessage) (string, bool, error) {
	var root map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return "", false, fmt.Errorf("export: pageInfo: %w", err)
	}
	var info map[string]any
	if raw := root[p.list[0]][p.pageInfo]; raw != nil {
		if err := json.Unmarshal(raw, &info); err != nil {
			return "", false, fmt.Errorf("export: pageInfo: %w", err)
		}
	}
	more, _ := info[p.hasNextKey].(bool)
	cursor, _ := info[p.cursorKey].(string)
	return cursor, more && cursor != "", nil
}

// withVariable sets one variable of a request.
func withVariable(vars json.RawMessage, name, value string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(vars) > 0 && string(vars) != "null" {
		if err := json.Unmarshal(vars, &m); err != nil {
			return nil, fmt.Errorf("export: variables: %w", err)
		}
	}
	m[name], _ = json.Marshal(value) // a string: cannot fail
	return json.Marshal(m)
}
