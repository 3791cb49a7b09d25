package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
)

const keysUsage = `usage:
  sinergi keys create --name NAME --role viewer|editor|admin [--scope 64.02[,64.03]] [--expires 2027-06-30|720h]
  sinergi keys list
  sinergi keys revoke <key id>`

// runKeys is `sinergi keys …`: API keys, managed by whoever has a shell
// on the server (the first admin key is made this way).
func runKeys(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(keysUsage)
	}
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	return keysCommand(ctx, a.accounts, os.Stdout, cliActor(), args)
}

// cliActor names the command line's user in the audit history.
func cliActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}

func keysCommand(ctx context.Context, keys *account.Service, out io.Writer, actor string, args []string) error {
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
		name := fs.String("name", "", "whose key it is, e.g. \"DPMD Kukar\"")
		role := fs.String("role", "", "viewer, editor or admin")
		scope := fs.String("scope", "", "an editor's region codes, comma-separated (64.02 or 64.02,64.03)")
		expires := fs.String("expires", "", "when the key stops working: a date (2027-06-30, UTC midnight) or a duration from now (720h)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		r, err := account.ParseRole(*role)
		if err != nil {
			return err
		}
		var codes []string
		for _, c := range strings.Split(*scope, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
		scopes, err := account.ParseScopes(codes)
		if err != nil {
			return err
		}
		until, err := parseExpiry(*expires, time.Now())
		if err != nil {
			return err
		}
		k, token, err := keys.CreateKey(ctx, actor, account.NewKey{Name: *name, Role: r, Scopes: scopes, ExpiresAt: until})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s created for %q (%s", k.ID, k.Name, k.Role)
		if len(k.Scopes) > 0 {
			fmt.Fprintf(out, ", scope %s", (&account.Principal{Role: k.Role, Scopes: k.Scopes}).ScopeText())
		}
		if !k.ExpiresAt.IsZero() {
			fmt.Fprintf(out, ", expires %s", k.ExpiresAt.Format(time.RFC3339))
		}
		fmt.Fprintf(out, ")\n\n    %s\n\nThis is the only time the key is shown: only its SHA-256 is stored. Send it as\n  Authorization: Bearer %s\n", token, token)
		return nil
	case "list":
		list, err := keys.Keys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPE\tSTATUS\tCREATED\tEXPIRES\tCREATED BY")
		now := time.Now()
		for _, k := range list {
			scope, expires := "-", "never"
			if len(k.Scopes) > 0 {
				scope = (&account.Principal{Role: k.Role, Scopes: k.Scopes}).ScopeText()
			}
			if !k.ExpiresAt.IsZero() {
				expires = k.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, scope, k.Status(now),
				k.CreatedAt.Format(time.RFC3339), expires, k.CreatedBy)
		}
		return tw.Flush()
	case "revoke":
		if len(args) != 2 {
			return errors.New(keysUsage)
		}
		if err := keys.RevokeKey(ctx, actor, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s revoked\n", args[1])
		return nil
	}
	return fmt.Errorf("unknown keys command %q\n%s", args[0], keysUsage)
}

// parseExpiry reads --expires: empty (never), a date, a time (RFC 3339)
// or a duration from now.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(d), nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--expires %q is neither a date (2027-06-30), a time (RFC 3339) nor a duration (720h)", s)
}
