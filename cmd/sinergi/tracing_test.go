package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// Tracing is off unless an OTLP endpoint is set.
func TestTracingIsOffByDefault(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tel, err := newTelemetry(context.Background(), clickhousetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.tracer.Tracer("x").Start(context.Background(), "x")
	if span.SpanContext().IsValid() {
		t.Error("a span was recorded with no OTLP endpoint set")
	}
}

// TestOperationAndStatementSpans records the spans of one GraphQL operation
// with the SDK's in-memory exporter: the operation's server span, named
// after it, is the parent of the spans of the ClickHouse statements it ran.
func TestOperationAndStatementSpans(t *testing.T) {
	ctx := t.Context()
	a := openTestApp(t, nil) // reading as an anonymous viewer: the requests carry no key
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	a.telemetry = newTelemetryTracing(tp, tp.Shutdown) // before the API's pools open with its hook
	if err := a.openServing(ctx); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(a.httpHandler(newResultCache()))
	defer api.Close()
	resp, err := http.Post(api.URL+"/graphql", "application/json", bytes.NewBufferString(`{"query":"query Years { idmYears }"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	var op *tracetest.SpanStub
	got := spans.GetSpans()
	for i := range got {
		if got[i].Name == "graphql Years" {
			op = &got[i]
		}
	}
	if op == nil || op.SpanKind != trace.SpanKindServer {
		t.Fatalf("no server span for the operation among %v", names(got))
	}
	var children []string
	for _, s := range got {
		if s.Parent.SpanID() == op.SpanContext.SpanID() && s.SpanKind == trace.SpanKindClient {
			children = append(children, s.Name)
		}
	}
	found := false
	for _, c := range children {
		found = found || c == "idmch.Store.Years"
	}
	if !found {
		t.Errorf("statement spans under the operation: %v, want idmch.Store.Years among them", children)
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
