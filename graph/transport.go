package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// endpoint serves GraphQL over HTTP as the GraphQL-over-HTTP spec says:
// GET and POST (application/json), answers as application/graphql-response+json
// or application/json by the Accept header, and batches (a JSON array of
// operations). Everything about the HTTP request — method, media types, body
// size, JSON shape — is checked before the result cache is asked, so a
// cached answer never goes to a request that would have been refused, nor
// in a media type the client did not ask for.
type endpoint struct {
	exec      *executor.Executor
	resolver  *Resolver
	log       *slog.Logger
	lim       Limits
	cache     *ResultCache // nil: no result cache, no ETags
	admission *admission
	flights   flights
	metrics   *Metrics
	tracer    trace.Tracer
}

const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
	internalBody         = `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`
	timeoutBody          = `{"errors":[{"message":"request timed out","extensions":{"code":"UNAVAILABLE"}}]}`
	// cacheable answers may be kept by the browser, which asks again with
	// If-None-Match each time (no-cache) and gets 304 until a load; private
	// keeps shared caches out until accounts decide who may see what.
	revalidate = "private, no-cache"
)

// request is a well-formed GraphQL-over-HTTP request: one operation, or a
// batch of them.
type request struct {
	method   string
	media    string // of the answer
	batch    bool
	ops      []graphql.RawParams
	rawQuery string
	body     []byte
}

// refusal is a request answered without running anything.
type refusal struct {
	status  int
	code    string
	message string
	// maxBytes is the limit a 413 refusal (fault.CodeTooLarge) met, sent
	// as extensions.maxBytes so that a client can say it in its own words.
	maxBytes int64
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			e.log.ErrorContext(r.Context(), "graphql endpoint panicked", "panic", fmt.Sprint(p))
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(internalBody))
		}
	}()
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		e.refuse(w, r, mediaJSON, refusal{status: http.StatusMethodNotAllowed, code: fault.CodeBadRequest, message: "use GET or POST"})
		return
	}
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		e.refuse(w, r, mediaJSON, refusal{status: http.StatusNotAcceptable, code: fault.CodeBadRequest, message: "answers are application/graphql-response+json or application/json; the Accept header allows neither"})
		return
	}
	if isMultipart(r) {
		e.serveUpload(w, r, media)
		return
	}
	req, ref := e.readRequest(w, r, media)
	if ref != nil {
		e.refuse(w, r, media, *ref)
		return
	}

	// The cache holds answers to requests that were decoded and run: the
	// same bytes again need no decoding.
	var key *cacheKey
	generation := e.cache.current()
	if e.cache != nil && r.Header.Get("Cache-Control") != "no-cache" {
		if k, ok := e.cache.key(generation, req.method, req.media, req.rawQuery, cacheIdentity(r.Context()), req.body); ok {
			key = &k
		}
	}
	if key != nil {
		if gz, hit := e.cache.get(*key); hit {
			e.writeAnswer(w, r, req, answer{status: http.StatusOK, gzipped: gz, cacheable: true}, key, "hit")
			return
		}
	}
	if ref := e.decodeRequest(req); ref != nil {
		e.refuse(w, r, media, *ref)
		return
	}
	ctx, cancel := context.WithTimeout(e.cache.pinned(r.Context(), generation), e.lim.Timeout)
	defer cancel()
	ans, shared, ok := e.flights.do(ctx, key, e.lim.Timeout, func(ctx context.Context) answer {
		ans := e.execute(ctx, req)
		if key != nil && ans.cacheable {
			ans.gzipped = e.cache.store(*key, ans.body)
		}
		return ans
	})
	if !ok {
		// Timed out, or the client went away (then nobody reads this).
		ans = answer{status: http.StatusServiceUnavailable, body: []byte(timeoutBody), retryAfter: true}
	}
	state := ""
	if key != nil {
		state = "miss"
		if shared {
			state = "shared"
		}
	}
	e.writeAnswer(w, r, req, ans, key, state)
}

// negotiate picks the answer's media type from the Accept header: the
// acceptable one with the highest q, application/graphql-response+json on
// a tie; application/json without an Accept header or for */*.
func negotiate(accept []string) (string, bool) {
	if len(accept) == 0 {
		return mediaJSON, true
	}
	best, bestQ, bestRank := "", 0.0, 0
	for _, field := range accept {
		for _, part := range strings.Split(field, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					continue
				}
			}
			var media string
			var rank int // how specific: an exact type beats a wildcard at the same q
			switch mt {
			case mediaGraphQLResponse:
				media, rank = mediaGraphQLResponse, 3
			case mediaJSON:
				media, rank = mediaJSON, 2
			case "application/*", "*/*":
				media, rank = mediaJSON, 1
			default:
				continue
			}
			if q > 0 && (q > bestQ || q == bestQ && rank > bestRank) {
				best, bestQ, bestRank = media, q, rank
			}
		}
	}
	if best == "" {
		// No Accept header at all counts as application/json; a header that
		// names only other types cannot be served.
		nonEmpty := false
		for _, field := range accept {
			nonEmpty = nonEmpty || strings.TrimSpace(field) != ""
		}
		return mediaJSON, !nonEmpty
	}
	return best, true
}

// wireParams is one operation as sent: each member is checked for its JSON
// type before gqlgen sees it.
type wireParams struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// readRequest checks the HTTP request — Content-Type, body size — and
// reads the body; decodeRequest then decodes the operations.
func (e *endpoint) readRequest(w http.ResponseWriter, r *http.Request, media string) (*request, *refusal) {
	req := &request{method: r.Method, media: media, rawQuery: r.URL.RawQuery}
	if r.Method == http.MethodGet {
		return req, nil
	}
	if ref := checkContentType(r.Header.Get("Content-Type")); ref != nil {
		return nil, ref
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.lim.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &refusal{status: http.StatusRequestEntityTooLarge, code: fault.CodeTooLarge, message: fmt.Sprintf("the request body is larger than the limit of %s", byteSize(e.lim.MaxBodyBytes)), maxBytes: e.lim.MaxBodyBytes}
		}
		return nil, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the request body could not be read"}
	}
	req.body = body
	return req, nil
}

func (e *endpoint) decodeRequest(req *request) *refusal {
	if req.method == http.MethodGet {
		op, ref := paramsFromURL(req.rawQuery)
		if ref != nil {
			return ref
		}
		req.ops = []graphql.RawParams{op}
		return nil
	}
	trimmed := bytes.TrimLeft(req.body, " \t\r\n")
	if len(trimmed) == 0 {
		return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: `the request body is empty; send {"query": "..."}`}
	}
	var raws []json.RawMessage
	switch trimmed[0] {
	case '{':
		raws = []json.RawMessage{trimmed}
	case '[':
		if e.lim.MaxBatch <= 1 {
			return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "batching (a JSON array of operations) is turned off on this server; send one operation per request"}
		}
		if err := decodeJSON(trimmed, &raws); err != nil {
			return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the request body is not valid JSON: " + err.Error()}
		}
		if len(raws) == 0 {
			return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the batch is empty"}
		}
		if len(raws) > e.lim.MaxBatch {
			return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: fmt.Sprintf("the batch holds %d operations, more than the limit of %d", len(raws), e.lim.MaxBatch)}
		}
		req.batch = true
	default:
		return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the request body must be a JSON object (or, for a batch, an array of them)"}
	}
	for i, raw := range raws {
		op, ref := paramsFromJSON(raw)
		if ref != nil {
			if req.batch {
				ref.message = fmt.Sprintf("operation %d of the batch: %s", i, ref.message)
			}
			return ref
		}
		req.ops = append(req.ops, op)
	}
	return nil
}

// checkContentType accepts application/json in UTF-8 (the spec's only
// required request media type).
func checkContentType(ct string) *refusal {
	const want = "send the query as JSON with Content-Type: application/json"
	if ct == "" {
		return &refusal{status: http.StatusUnsupportedMediaType, code: fault.CodeBadRequest, message: "the request has no Content-Type; " + want}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return &refusal{status: http.StatusUnsupportedMediaType, code: fault.CodeBadRequest, message: fmt.Sprintf("Content-Type %q is not supported; %s", truncate(ct, 100), want)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &refusal{status: http.StatusUnsupportedMediaType, code: fault.CodeBadRequest, message: fmt.Sprintf("charset %q is not supported; send UTF-8", truncate(cs, 40))}
	}
	return nil
}

func paramsFromJSON(raw json.RawMessage) (graphql.RawParams, *refusal) {
	var wp wireParams
	var op graphql.RawParams
	if err := decodeJSON(raw, &wp); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return op, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "an operation must be a JSON object"}
		}
		return op, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the request body is not valid JSON: " + err.Error()}
	}
	if ref := decodeMember("query", wp.Query, &op.Query, "a string"); ref != nil {
		return op, ref
	}
	if ref := decodeMember("operationName", wp.OperationName, &op.OperationName, "a string"); ref != nil {
		return op, ref
	}
	if ref := decodeMember("variables", wp.Variables, &op.Variables, "an object"); ref != nil {
		return op, ref
	}
	if ref := decodeMember("extensions", wp.Extensions, &op.Extensions, "an object"); ref != nil {
		return op, ref
	}
	return op, requireQuery(op)
}

func paramsFromURL(rawQuery string) (graphql.RawParams, *refusal) {
	var op graphql.RawParams
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return op, &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: "the query string is malformed: " + err.Error()}
	}
	op.Query = values.Get("query")
	op.OperationName = values.Get("operationName")
	for name, dest := range map[string]*map[string]any{"variables": &op.Variables, "extensions": &op.Extensions} {
		if v := values.Get(name); v != "" {
			if ref := decodeMember(name, json.RawMessage(v), dest, "a JSON object"); ref != nil {
				return op, ref
			}
		}
	}
	return op, requireQuery(op)
}

// decodeMember decodes one member of the request; null or absent leaves
// dest as it is.
func decodeMember[T any](name string, raw json.RawMessage, dest *T, want string) *refusal {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := decodeJSON(raw, dest); err != nil {
		return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: fmt.Sprintf("%s must be %s", name, want)}
	}
	return nil
}

// requireQuery refuses an operation without a query, unless it names a
// persisted query by its hash.
func requireQuery(op graphql.RawParams) *refusal {
	if op.Query == "" && op.Extensions["persistedQuery"] == nil {
		return &refusal{status: http.StatusBadRequest, code: fault.CodeBadRequest, message: `the request has no query; send {"query": "..."}`}
	}
	return nil
}

// decodeJSON decodes one JSON value, numbers kept exact, and nothing after it.
func decodeJSON(raw []byte, dest any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dest); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// answer is the finished response to a request.
type answer struct {
	status     int
	body       []byte // JSON; nil when only gzipped is set
	gzipped    []byte // the body, compressed: set when it is (or was) cached
	cacheable  bool   // a success that depends only on the data generation and the request
	retryAfter bool
}

// execute runs the request's operations, a batch's concurrently (each
// takes its own admission slot).
func (e *endpoint) execute(ctx context.Context, req *request) answer {
	results := make([]operationResult, len(req.ops))
	var wg sync.WaitGroup
	for i := range req.ops {
		wg.Go(func() { results[i] = e.runOperation(ctx, req, &req.ops[i]) })
	}
	wg.Wait()
	if !req.batch {
		res := results[0]
		return answer{status: res.status(req.media), body: res.encode(), cacheable: res.cacheable(), retryAfter: res.outcome == outcomeBusy}
	}
	// A batch is answered 200 as a whole; each operation's result says how
	// it went.
	ans := answer{status: http.StatusOK, cacheable: true}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, res := range results {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(res.encode())
		ans.cacheable = ans.cacheable && res.cacheable()
	}
	buf.WriteByte(']')
	ans.body = buf.Bytes()
	return ans
}

// outcome says how an operation ended, which decides the HTTP status.
type outcome int

const (
	outcomeExecuted     outcome = iota // ran; data present (errors may be)
	outcomeRequestError                // refused by parsing, validation or the query limits: no data
	outcomeTooLarge                    // the document is over the document limits: 400 whatever the media type
	outcomeNotAllowed                  // a mutation over GET
	outcomeBusy                        // admission turned it away
	outcomeInternal
)

type operationResult struct {
	outcome    outcome
	data       json.RawMessage
	errors     gqlerror.List
	extensions map[string]any
	volatile   bool // read something a load does not version (ETL runs): never cached
}

// status follows the spec: under application/json every well-formed
// request gets 200, errors or not; under application/graphql-response+json
// a request error (no data) gets 400. An operation refused for want of
// credentials or rights gets 401 or 403 under either, as the HTTP requests
// around the API do (accounthttp).
func (res operationResult) status(media string) int {
	for _, err := range res.errors {
		switch err.Extensions["code"] {
		case fault.CodeUnauthenticated:
			return http.StatusUnauthorized
		case fault.CodeForbidden:
			return http.StatusForbidden
		}
	}
	switch res.outcome {
	case outcomeRequestError:
		if media == mediaGraphQLResponse {
			return http.StatusBadRequest
		}
		return http.StatusOK
	case outcomeTooLarge:
		return http.StatusBadRequest
	case outcomeNotAllowed:
		return http.StatusMethodNotAllowed
	case outcomeBusy:
		return http.StatusServiceUnavailable
	case outcomeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

func (res operationResult) cacheable() bool {
	return res.outcome == outcomeExecuted && len(res.errors) == 0 && !res.volatile
}

// encode writes the result; the data, often megabytes, is copied as it
// is rather than re-encoded. A request error has no "data" member at all.
func (res operationResult) encode() []byte {
	switch res.outcome {
	case outcomeBusy:
		return []byte(busyBody)
	case outcomeInternal:
		return []byte(internalBody)
	}
	var buf bytes.Buffer
	buf.Grow(len(res.data) + 64)
	buf.WriteByte('{')
	sep := ""
	if len(res.errors) > 0 {
		errs, err := json.Marshal(res.errors)
		if err != nil {
			return []byte(internalBody)
		}
		buf.WriteString(`"errors":`)
		buf.Write(errs)
		sep = ","
	}
	if res.outcome == outcomeExecuted {
		buf.WriteString(sep + `"data":`)
		if len(res.data) == 0 {
			buf.WriteString("null")
		} else {
			buf.Write(res.data)
		}
		sep = ","
	}
	if len(res.extensions) > 0 {
		ext, err := json.Marshal(res.extensions)
		if err != nil {
			return []byte(internalBody)
		}
		buf.WriteString(sep + `"extensions":`)
		buf.Write(ext)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// runOperation executes one operation in its own admission slot, with its
// own data loaders.
func (e *endpoint) runOperation(ctx context.Context, req *request, params *graphql.RawParams) (res operationResult) {
	start, name := time.Now(), params.OperationName
	ctx, span := e.tracer.Start(ctx, "graphql", trace.WithSpanKind(trace.SpanKindServer))
	defer func() {
		if p := recover(); p != nil {
			e.log.ErrorContext(ctx, "graphql operation panicked", "panic", fmt.Sprint(p))
			res = operationResult{outcome: outcomeInternal}
		}
		e.metrics.observe(name, res, start)
		span.SetName("graphql " + e.metrics.names.label(name))
		span.SetAttributes(attribute.String("graphql.operation.name", truncate(name, 200)), attribute.String("sinergi.outcome", res.outcomeLabel()))
		if res.outcome != outcomeExecuted || len(res.errors) > 0 {
			span.SetStatus(codes.Error, res.outcomeLabel())
		}
		span.End()
	}()
	if !e.admission.acquire(ctx) {
		return operationResult{outcome: outcomeBusy}
	}
	defer e.admission.release()

	ctx = graphql.StartOperationTrace(ctx)
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	opCtx, errs := e.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return e.requestError(ctx, errs)
	}
	if opCtx.Operation != nil && opCtx.Operation.Name != "" {
		name = opCtx.Operation.Name // the one run, when the request did not say
	}
	if req.method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		err := gqlerror.Errorf("a %s cannot be sent with GET; use POST", opCtx.Operation.Operation)
		err.Extensions = map[string]any{"code": fault.CodeBadRequest}
		return operationResult{outcome: outcomeNotAllowed, errors: gqlerror.List{err}}
	}
	// Each statement reads the generations published when it starts; an
	// operation runs several, side by side or one after the other. A load
	// that publishes in between would give one answer figures of two loads
	// (issue 16's soak saw it). So the operation notes the published
	// generation before its first root field and checks it after the last;
	// if a load published meanwhile, it runs again with fresh loaders. A
	// mutation never runs twice (it changes data, and may itself publish).
	for run := 1; ; run++ {
		runCtx, state := withOperationState(e.resolver.withLoaders(ctx), e.resolver.Published)
		responses, runCtx := e.exec.DispatchOperation(runCtx, opCtx)
		resp := responses(runCtx)
		if resp == nil { // the request's context ended before the answer
			return e.requestError(runCtx, gqlerror.List{deadlineError()})
		}
		if resp.Data == nil {
			return e.requestError(runCtx, resp.Errors)
		}
		same, err := state.sameGeneration(runCtx)
		if opCtx.Operation.Operation == ast.Mutation {
			same, err = true, nil
		}
		if err != nil {
			e.log.WarnContext(ctx, "graphql: the published generation could not be read; answering unavailable", "err", err)
			return operationResult{outcome: outcomeBusy}
		}
		if same {
			return operationResult{outcome: outcomeExecuted, data: resp.Data, errors: resp.Errors, extensions: resp.Extensions, volatile: state.volatile.Load()}
		}
		if run == maxRunsAcrossPublishes {
			e.log.WarnContext(ctx, "graphql: loads kept publishing while an operation ran; answering unavailable", "runs", run)
			return operationResult{outcome: outcomeBusy}
		}
	}
}

// maxRunsAcrossPublishes bounds how often an operation runs again because
// a load published while it ran (loads are minutes apart: twice is rare).
const maxRunsAcrossPublishes = 3

// requestError is an operation refused before it ran: every error gets a
// code, and the refusal one WARN line (never the query).
func (e *endpoint) requestError(ctx context.Context, errs gqlerror.List) operationResult {
	res := operationResult{outcome: outcomeRequestError, errors: errs}
	for _, err := range errs {
		if err.Extensions == nil {
			err.Extensions = map[string]any{}
		}
		if err.Extensions["code"] == nil {
			err.Extensions["code"] = fault.CodeBadRequest
		}
		if err.Extensions["code"] == CodeDocumentLimit {
			res.outcome = outcomeTooLarge
		}
	}
	if len(errs) > 0 {
		code, _ := errs[0].Extensions["code"].(string)
		level := slog.LevelWarn
		if code == persistedQueryNotFound {
			level = slog.LevelDebug // the normal first step of the protocol
		}
		e.log.Log(ctx, level, "graphql request refused", "code", code, "reason", truncate(errs[0].Message, 200))
	}
	return res
}

// refuse answers a request that is not a well-formed GraphQL-over-HTTP
// request, with a message saying what to fix, and logs one WARN line
// without the body.
func (e *endpoint) refuse(w http.ResponseWriter, r *http.Request, media string, ref refusal) {
	e.log.WarnContext(r.Context(), "graphql request refused", "status", ref.status, "code", ref.code, "reason", ref.message,
		"method", r.Method, "remote", r.RemoteAddr)
	extensions := map[string]any{"code": ref.code}
	if ref.maxBytes > 0 {
		extensions["maxBytes"] = ref.maxBytes
	}
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{"message": ref.message, "extensions": extensions}}})
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(ref.status)
	_, _ = w.Write(body)
}

// writeAnswer sends an answer with its caching headers: an ETag and
// revalidation for a cacheable one (304 when the client holds it already),
// no-store for the rest. Compression is left to the wrapping handler,
// except for bytes already compressed for the cache.
func (e *endpoint) writeAnswer(w http.ResponseWriter, r *http.Request, req *request, ans answer, key *cacheKey, cacheState string) {
	h := w.Header()
	h.Set("Content-Type", req.media+"; charset=utf-8")
	h.Add("Vary", "Accept")
	if cacheState != "" {
		h.Set("X-Sinergi-Cache", cacheState)
	}
	if ans.retryAfter {
		h.Set("Retry-After", "1")
	}
	if !ans.cacheable || key == nil {
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(ans.status)
		_, _ = w.Write(ans.body)
		return
	}
	etag := key.etag()
	h.Set("ETag", etag)
	h.Set("Cache-Control", revalidate)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if ans.gzipped != nil && (ans.body == nil || acceptsGzip(r) && gzippedSize(ans.gzipped) >= compressAbove) {
		writeGzipped(w, r, ans.status, ans.gzipped)
		return
	}
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
