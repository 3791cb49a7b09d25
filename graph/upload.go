package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// maxUploadBody bounds a multipart request as a whole, a hard stop before
// anything is kept; what a submission may hold is the submission service's
// to bound (smaller), and its limit is the one a refusal names
// (uploadLimit), so an office over both is told one figure, not two.
const maxUploadBody = 64 << 20

// maxUploadFiles bounds the files of one multipart request.
const maxUploadFiles = 8

// isMultipart reports a request in the GraphQL multipart request spec's
// media type.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// serveUpload runs one operation sent as the GraphQL multipart request
// spec says: an "operations" part (one operation as JSON), a "map" part
// (file field → the variable paths it fills) and the files, which are
// streamed to temporary files (removed once answered) and given to the
// operation as graphql.Upload values. Such a request is never cached nor
// shared with another: it carries its own files.
func (e *endpoint) serveUpload(w http.ResponseWriter, r *http.Request, media string) {
	if r.Method != http.MethodPost {
		e.refuse(w, r, media, refusal{status: http.StatusMethodNotAllowed, code: fault.CodeBadRequest, message: "files are sent with POST"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	op, files, ref := e.readUpload(r)
	defer func() {
		for _, f := range files {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if ref != nil {
		e.refuse(w, r, media, *ref)
		return
	}
	req := &request{method: http.MethodPost, media: media, ops: []graphql.RawParams{op}}
	ctx, cancel := context.WithTimeout(r.Context(), e.lim.Timeout)
	defer cancel()
	e.writeAnswer(w, r, req, e.execute(ctx, req), nil, "")
}

func (e *endpoint) readUpload(r *http.Request) (graphql.RawParams, []*os.File, *refusal) {
	var op graphql.RawParams
	var files []*os.File
	bad := func(format string, args ...any) (graphql.RawParams, []*os.File, *refusal) {
		return op, files, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: fmt.Sprintf(format, args...)}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return bad("the multipart body cannot be read: %v", err)
	}
	readPart := func(name string) ([]byte, *refusal) {
		part, err := mr.NextPart()
		if err != nil || part.FormName() != name {
			return nil, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: fmt.Sprintf("a multipart request sends the %q field here (operations, then map, then the files)", name)}
		}
		body, err := io.ReadAll(io.LimitReader(part, e.lim.MaxBodyBytes+1))
		if err != nil || int64(len(body)) > e.lim.MaxBodyBytes {
			return nil, &refusal{status: http.StatusRequestEntityTooLarge, code: fault.CodeTooLarge, message: fmt.Sprintf("the %q field is too large or unreadable", name), maxBytes: e.lim.MaxBodyBytes}
		}
		return body, nil
	}
	operations, ref := readPart("operations")
	if ref != nil {
		return op, files, ref
	}
	if trimmed := strings.TrimSpace(string(operations)); strings.HasPrefix(trimmed, "[") {
		return bad("send files with one operation, not a batch")
	}
	op, ref = paramsFromJSON(operations)
	if ref != nil {
		return op, files, ref
	}
	rawMap, ref := readPart("map")
	if ref != nil {
		return op, files, ref
	}
	var fileMap map[string][]string
	if err := json.Unmarshal(rawMap, &fileMap); err != nil {
		return bad(`the "map" field must be a JSON object of file field → variable paths: %v`, err)
	}
	if len(fileMap) > maxUploadFiles {
		return bad("at most %d files per request", maxUploadFiles)
	}
	for len(fileMap) > 0 {
		part, err := mr.NextPart()
		if err == io.EOF {
			return bad("the map names files the request does not carry")
		}
		if err != nil {
			return e.uploadReadError(op, files, err)
		}
		paths, ok := fileMap[part.FormName()]
		if !ok {
			return bad("file field %q is not in the map", part.FormName())
		}
		delete(fileMap, part.FormName())
		f, err := os.CreateTemp("", "sinergi-upload-")
		if err != nil {
			return op, files, &refusal{status: http.StatusInternalServerError, code: fault.CodeInternal, message: "internal error"}
		}
		files = append(files, f)
		size, err := io.Copy(f, part)
		if err != nil {
			return e.uploadReadError(op, files, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return op, files, &refusal{status: http.StatusInternalServerError, code: fault.CodeInternal, message: "internal error"}
		}
		upload := graphql.Upload{File: f, Filename: part.FileName(), Size: size, ContentType: part.Header.Get("Content-Type")}
		for _, path := range paths {
			if err := setVariable(op.Variables, path, upload); err != nil {
				return bad("map path %q: %v", path, err)
			}
		}
	}
	return op, files, nil
}

func (e *endpoint) uploadReadError(op graphql.RawParams, files []*os.File, err error) (graphql.RawParams, []*os.File, *refusal) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		limit := e.uploadLimit()
		return op, files, &refusal{status: http.StatusRequestEntityTooLarge, code: fault.CodeTooLarge, message: fmt.Sprintf("the files are larger than the limit of %s per submission", byteSize(limit)), maxBytes: limit}
	}
	return op, files, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the multipart body cannot be read"}
}

// uploadLimit is the limit a too-large multipart request is told: the
// submission's (what it could send), not the body's hard stop, which is
// larger only to leave room for the other parts.
func (e *endpoint) uploadLimit() int64 {
	if e.resolver != nil && e.resolver.Submissions != nil {
		return min(e.resolver.Submissions.MaxBytes(), maxUploadBody)
	}
	return maxUploadBody
}

// setVariable puts v at a path of the spec's map ("variables.files.0"),
// where the operation holds null.
func setVariable(vars map[string]any, path string, v any) error {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" {
		return errors.New("a path starts with variables.")
	}
	var cur any = vars
	for i, key := range parts[1:] {
		last := i == len(parts)-2
		switch c := cur.(type) {
		case map[string]any:
			if c == nil {
				return errors.New("no such variable")
			}
			if last {
				if _, ok := c[key]; !ok {
					return errors.New("no such variable")
				}
				c[key] = v
				return nil
			}
			cur = c[key]
		case []any:
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n >= len(c) {
				return errors.New("no such list element")
			}
			if last {
				c[n] = v
				return nil
			}
			cur = c[n]
		default:
			return errors.New("no such variable")
		}
	}
	return nil
}
