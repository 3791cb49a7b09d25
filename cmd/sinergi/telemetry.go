package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// telemetry is what the program reports: one Prometheus registry that
// every component registers on (none registers globally), served at
// /metrics on the operator address, and the tracer, which exports over
// OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
type telemetry struct {
	registry *prometheus.Registry
	tracer   trace.TracerProvider
	shutdown func(context.Context) error

	statements clickhouse.StatementHook
	etl        *etl.Metrics
	api        *graph.Metrics
}

func newTelemetry(ctx context.Context, log *slog.Logger) (*telemetry, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return newTelemetryTracing(noop.NewTracerProvider(), func(context.Context) error { return nil }), nil
	}
	// The exporter reads the standard OTEL_EXPORTER_OTLP_* settings
	// (endpoint, headers, TLS, timeout) itself.
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "sinergi"))))
	log.Info("tracing to OTLP", "endpoint", firstSet("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"))
	return newTelemetryTracing(tp, tp.Shutdown), nil
}

// newTelemetryTracing is the telemetry with a fresh registry, tracing to
// tp; shutdown flushes it.
func newTelemetryTracing(tp trace.TracerProvider, shutdown func(context.Context) error) *telemetry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &telemetry{registry: reg, tracer: tp, shutdown: shutdown,
		statements: clickhouse.Hooks(clickhouse.StatementMetrics(reg), clickhouse.StatementTraces(tp)),
		etl:        etl.NewMetrics(reg),
		api:        graph.NewMetrics(reg),
	}
}

func firstSet(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// metricsHandler serves the registry; a collector that fails (the data age,
// when ClickHouse is away) leaves the rest of the scrape intact.
func (t *telemetry) metricsHandler() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
