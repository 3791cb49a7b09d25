package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const submitUsage = `usage: sinergi etl submit --server URL [--key KEY] [--check] [--annotated FILE.xlsx] <register.xlsx | agreements.csv parties.csv ...>
  the key comes from --key or SINERGI_API_KEY (an editor's or admin's; see sinergi keys)`

// runSubmit is `sinergi etl submit`: send a register to a sinergi server
// as an office does, through the API (no shell on the server, no
// database): check it, or submit it, and print the report.
func runSubmit(ctx context.Context, args []string, lookupEnv func(string) (string, bool), out io.Writer) error {
	fs := flag.NewFlagSet("etl submit", flag.ContinueOnError)
	server := fs.String("server", "", "the sinergi server, e.g. https://sinergi.kaltimprov.go.id")
	key := fs.String("key", "", "API key (default: $SINERGI_API_KEY)")
	checkOnly := fs.Bool("check", false, "only check: nothing is written")
	annotated := fs.String("annotated", "", "with --check: save the workbook annotated with why each refused row was refused")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *key == "" {
		*key, _ = lookupEnv("SINERGI_API_KEY")
	}
	if *server == "" || *key == "" || fs.NArg() == 0 {
		return errors.New(submitUsage)
	}
	base, err := url.Parse(strings.TrimSuffix(*server, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("--server %q is not an http(s) URL", *server)
	}
	c := &apiClient{base: base.String(), key: *key, http: &http.Client{Timeout: 10 * time.Minute}}
	if *checkOnly {
		return c.check(ctx, fs.Args(), *annotated, out)
	}
	return c.submit(ctx, fs.Args(), out)
}

type apiClient struct {
	base, key string
	http      *http.Client
}

type gqlReject struct {
	Sheet  *string
	Line   int
	Column *string
	Reason string
}

type rejectPage struct {
	TotalCount int
	Nodes      []gqlReject
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const rejectFields = `totalCount nodes { sheet line column reason } pageInfo { hasNextPage endCursor }`

func (c *apiClient) check(ctx context.Context, files []string, annotated string, out io.Writer) error {
	var data struct {
		CheckRegister struct {
			ID                                               string
			RowsRead, Agreements, OutsideScope, WarningCount int
			AnnotatedWorkbookPath                            string
			Rejects                                          rejectPage
		}
	}
	q := `mutation($files: [Upload!]!) { checkRegister(files: $files) { id rowsRead agreements outsideScope warningCount annotatedWorkbookPath rejects(first: 1000) { ` + rejectFields + ` } } }`
	if err := c.upload(ctx, q, files, &data); err != nil {
		return err
	}
	r := data.CheckRegister
	fmt.Fprintf(out, "checked (nothing written): %d rows read, %d agreements accepted, %d of them outside your scope, %d rows refused, %d warnings\n",
		r.RowsRead, r.Agreements, r.OutsideScope, r.Rejects.TotalCount, r.WarningCount)
	page := r.Rejects
	for {
		printRejects(out, page.Nodes)
		if !page.PageInfo.HasNextPage || page.PageInfo.EndCursor == nil {
			break
		}
		var next struct{ RegisterCheck struct{ Rejects rejectPage } }
		if err := c.query(ctx, `query($id: ID!, $after: String) { registerCheck(id: $id) { rejects(first: 1000, after: $after) { `+rejectFields+` } } }`,
			map[string]any{"id": r.ID, "after": *page.PageInfo.EndCursor}, &next); err != nil {
			return err
		}
		page = next.RegisterCheck.Rejects
	}
	if annotated != "" {
		if err := c.download(ctx, r.AnnotatedWorkbookPath, annotated); err != nil {
			return err
		}
		fmt.Fprintf(out, "annotated workbook (column Keterangan): %s\n", annotated)
	}
	return nil
}

func (c *apiClient) submit(ctx context.Context, files []string, out io.Writer) error {
	var data struct {
		SubmitRegister struct {
			RunID string
			Run   struct {
				Status                             string
				RowsRead, RowsLoaded, RowsRejected int
				Error                              *string
			}
		}
	}
	q := `mutation($files: [Upload!]!) { submitRegister(files: $files) { runId run { status rowsRead rowsLoaded rowsRejected error } } }`
	if err := c.upload(ctx, q, files, &data); err != nil {
		return err
	}
	s := data.SubmitRegister
	fmt.Fprintf(out, "run %s %s: read %d, loaded %d, refused %d\n", s.RunID, strings.ToLower(s.Run.Status), s.Run.RowsRead, s.Run.RowsLoaded, s.Run.RowsRejected)
	if s.Run.Error != nil {
		return fmt.Errorf("the load failed, nothing of it is visible: %s", *s.Run.Error)
	}
	var after *string
	for {
		var page struct{ EtlRejects rejectPage }
		if err := c.query(ctx, `query($id: ID!, $after: String) { etlRejects(runId: $id, first: 1000, after: $after) { `+rejectFields+` } }`,
			map[string]any{"id": s.RunID, "after": after}, &page); err != nil {
			return err
		}
		printRejects(out, page.EtlRejects.Nodes)
		if !page.EtlRejects.PageInfo.HasNextPage {
			return nil
		}
		after = page.EtlRejects.PageInfo.EndCursor
	}
}

func printRejects(out io.Writer, rejects []gqlReject) {
	for _, rj := range rejects {
		where := ""
		if rj.Sheet != nil {
			where = *rj.Sheet + " "
		}
		column := ""
		if rj.Column != nil {
			column = *rj.Column
		}
		fmt.Fprintf(out, "refused %sline %d%s: %s\n", where, rj.Line, inColumn(column), rj.Reason)
	}
}

// inColumn names the column a reject is about, " [Signed Date]"; nothing
// when it concerns the whole row.
func inColumn(column string) string {
	if column == "" {
		return ""
	}
	return " [" + column + "]"
}

// upload sends files with the GraphQL multipart request spec.
func (c *apiClient) upload(ctx context.Context, query string, files []string, dest any) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	nulls := make([]any, len(files))
	fileMap := map[string][]string{}
	for i := range files {
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"files": nulls}})
	m, _ := json.Marshal(fileMap)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", string(m))
	for i, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		part, err := w.CreateFormFile(fmt.Sprint(i), filepath.Base(path))
		if err == nil {
			_, err = io.Copy(part, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.do(ctx, w.FormDataContentType(), &body, dest)
}

func (c *apiClient) query(ctx context.Context, query string, vars map[string]any, dest any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return c.do(ctx, "application/json", bytes.NewReader(body), dest)
}

func (c *apiClient) do(ctx context.Context, contentType string, body io.Reader, dest any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&answer); err != nil {
		return fmt.Errorf("the server answered %s, not GraphQL", resp.Status)
	}
	if len(answer.Errors) > 0 {
		return fmt.Errorf("%s: %s", resp.Status, answer.Errors[0].Message)
	}
	return json.Unmarshal(answer.Data, dest)
}

func (c *apiClient) download(ctx context.Context, path, dest string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("annotated workbook: %s", resp.Status)
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
