// Command cluster runs, for bench/run.sh's cluster variant, the ClickHouse
// cluster the cluster tests use (internal/clickhouse/clustertest: ZooKeeper
// and two shards of two ClickHouse servers on loopback), writes the
// settings that point sinergi at it to a file of KEY=value lines, and stops
// it on SIGINT or SIGTERM.
//
//	go run ./bench/cluster -env var/bench-small-cluster/cluster.env
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clustertest"
)

func main() {
	envFile := flag.String("env", "", "write the sinergi settings of the cluster to this file")
	flag.Parse()
	if *envFile == "" {
		fmt.Fprintln(os.Stderr, "usage: cluster -env FILE")
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	c, err := clustertest.Start(ctx, log)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Stop()
	first := c.Servers[0]
	env := []string{
		"SINERGI_CLICKHOUSE_ADDR=" + c.Addrs(),
		"SINERGI_CLICKHOUSE_USERNAME=" + c.User,
		"SINERGI_CLICKHOUSE_PASSWORD=" + c.Password,
		"SINERGI_CLICKHOUSE_CLUSTER=" + clustertest.Name,
		"SINERGI_ZOOKEEPER_SERVERS=" + c.ZooKeeper,
		fmt.Sprintf("BENCH_CLICKHOUSE_PORT=%d", first.Port),
	}
	if err := os.WriteFile(*envFile, []byte(strings.Join(env, "\n")+"\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log.Info("cluster ready", "servers", c.Addrs(), "zookeeper", c.ZooKeeper, "env", *envFile)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
