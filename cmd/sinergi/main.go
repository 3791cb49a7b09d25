// Command sinergi serves GraphQL analytics for village cooperation planning
// over ClickHouse, and runs the ETL that keeps the aggregates fresh.
//
//	sinergi dev [--no-simulation]        managed ClickHouse + Kaltim data + scheduler + console and GraphQL
//	sinergi simulation remove            withdraw the simulated register
//	sinergi serve                        GraphQL against the configured ClickHouse
//	sinergi etl                          the ETL scheduler alone
//	sinergi etl load <dataset> <file>... load files once and report
//	sinergi etl rebuild                  rebuild every snapshot whole
//	sinergi etl submit --server URL ...  send a register through the API (check or submit)
//	sinergi keys create|list|revoke      API keys
//	sinergi users create|list|disable|enable|passwd  local accounts (console sign-in)
//	sinergi migrate [status]             apply database migrations, or show them
//	sinergi setup                        install ClickHouse if it is missing
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones without the system's database: nothing to fetch at run time

	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
)

const usage = `sinergi — analytics for village cooperation (kerja sama desa) planning

Usage:
  sinergi [--config FILE] <command> [arguments]

Commands:
  dev [--no-simulation]        run everything locally: a managed ClickHouse in the data
                               directory, migrations, the real Kalimantan Timur data, the
                               seed register and a simulated register (SIMULASI; off with
                               --no-simulation or SINERGI_DEV_SIMULATION=off), the ETL
                               scheduler, the console and GraphQL (what 'make run' starts)
  simulation remove            withdraw the simulated register (SIMULASI)
  serve                        serve GraphQL against the configured ClickHouse
  etl                          run the ETL scheduler alone (jobs from the config file)
  etl load <dataset> <file>... load files once and print what was loaded and rejected
  etl rebuild                  rebuild every snapshot and rollup whole from the committed runs
                               (datasets: regions, idm, register, simulation)
  etl submit --server URL [--check] [--annotated OUT.xlsx] <files>...
                               send a register to a server through its API as an office
                               does (key in SINERGI_API_KEY or --key): check it, or submit it
  keys create --name NAME --role viewer|editor|admin [--scope 64.02] [--expires 720h]
                               make an API key (shown once; only its hash is kept)
  keys list                    list the keys (never their secrets)
  keys revoke <key id>         stop a key from working, at once
  users create --name NAME --role viewer|editor|admin [--scope 64.02] [--display-name TEXT]
                               make a local account for the console's sign-in (password
                               from the terminal or standard input, never the command line)
  users list                   list the accounts (never their passwords)
  users disable|enable <name>  stop an account (its sessions end at once) or restore it
  users passwd <name>          set a new password (the account's sessions end)
  migrate                      apply pending database migrations (one at a time: a second
                               waits for the first)
  migrate status               the applied and pending migrations, and a running one
  setup                        install ClickHouse if it is missing

Configuration comes from the YAML file given by --config or SINERGI_CONFIG, then from
SINERGI_* environment variables (see README.md). Without SINERGI_CLICKHOUSE_ADDR every
command uses the ClickHouse that sinergi manages in SINERGI_DATA_DIR (default ./var).
`

func main() {
	if code, ok := chserver.RunSupervisor(); ok {
		os.Exit(code) // started as the managed ClickHouse's supervisor
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("sinergi", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	configPath := fs.String("config", "", "configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	cfg, err := loadConfig(*configPath, os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sinergi: configuration: %v\n", err)
		return 2
	}
	log := newLogger(cfg)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "dev":
		err = runDev(ctx, cfg, log, rest)
	case "simulation":
		err = runSimulation(ctx, cfg, log, rest)
	case "serve":
		err = runServe(ctx, cfg, log)
	case "etl":
		if len(rest) > 0 && rest[0] == "load" {
			return runLoad(ctx, cfg, log, rest[1:])
		}
		if len(rest) > 0 && rest[0] == "rebuild" {
			err = runRebuild(ctx, cfg, log)
			break
		}
		if len(rest) > 0 && rest[0] == "submit" {
			err = runSubmit(ctx, rest[1:], os.LookupEnv, os.Stdout)
			break
		}
		if len(rest) > 0 {
			err = fmt.Errorf("unknown etl command %q (want: sinergi etl, sinergi etl load <dataset> <file>..., sinergi etl rebuild, or sinergi etl submit --server URL <file>...)", rest[0])
			break
		}
		err = runScheduler(ctx, cfg, log)
	case "keys":
		err = runKeys(ctx, cfg, log, rest)
	case "users":
		err = runUsers(ctx, cfg, log, rest)
	case "migrate":
		err = runMigrate(ctx, cfg, log, rest)
	case "setup":
		err = runSetup(ctx, log)
	case "help", "-h", "--help":
		fmt.Fprint(os.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "sinergi: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "sinergi %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
