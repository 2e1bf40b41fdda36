// Package logs sets up async_server's logging: the logrus logger that writes the
// log file (owned by the logger actor), and the front end every other component
// logs through, which hands each entry to the logger actor instead of writing it.
//
//	component --logrus API--> front end --LogEntry--> logger actor --logrus--> server.log
//	protoactor --slog--------^
//
// Logs carry fields; messages are fixed text. Text output quotes any field value
// that holds spaces, quotes or control characters, and JSON escapes them, so text a
// client sent can never start a log line of its own; and the front end cuts every
// long value and message to a cap (cut.go), so what a client sends cannot make a
// log line longer than a few kilobytes.
package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"async_server/messages"

	"github.com/sirupsen/logrus"
	lslog "github.com/sirupsen/logrus/hooks/slog"
)

// Config says where and how the log is written.
type Config struct {
	File   string // path of the log file, appended to; "-" for standard error
	Format string // "text" or "json", in any case
	Level  string // one of levels, in any case

	// Rotation (rotate.go). MaxSize is the megabytes File grows to before it is
	// renamed aside and a new one started; 0 never rotates: one growing file, as
	// before rotation existed. MaxBackups is how many renamed files are kept,
	// the oldest removed first; 0 keeps them all.
	MaxSize    int
	MaxBackups int
}

// levels are the levels a Config takes, least verbose first. logrus also
// knows fatal and panic, but the server logs nothing at either: as a least
// level they would silence the log while seeming to keep errors. "warning" is
// taken too: it is how the log spells warn (level=warning).
var levels = []string{"error", "warn", "info", "debug", "trace"}

// Validate reports the first field of c that cannot work, by name. It looks
// at the file system too: a log file whose directory does not exist, or that
// is a directory, is refused here, so that a mistyped path is a bad command
// line, not a failed start.
func (c Config) Validate() error {
	if c.File == "" {
		return fmt.Errorf("-log-file: must not be empty")
	}
	if !strings.EqualFold(c.Format, "text") && !strings.EqualFold(c.Format, "json") {
		return fmt.Errorf("-log-format: %q is not text or json", c.Format)
	}
	if l := strings.ToLower(c.Level); !slices.Contains(levels, l) && l != "warning" {
		return fmt.Errorf("-log-level: %q is not %s or %s", c.Level,
			strings.Join(levels[:len(levels)-1], ", "), levels[len(levels)-1])
	}
	if err := c.validateFile(); err != nil {
		return err
	}
	return c.validateRotation()
}

// validateFile checks that the log file, unless it is standard error, is not
// a directory and is in a directory that exists.
func (c Config) validateFile() error {
	if c.File == "-" {
		return nil
	}
	if fi, err := os.Stat(c.File); err == nil && fi.IsDir() {
		return fmt.Errorf("-log-file: %s is a directory", c.File)
	}
	dir := filepath.Dir(c.File)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("-log-file: %s: directory %s does not exist", c.File, dir)
	case err != nil:
		return fmt.Errorf("-log-file: %s: %w", c.File, err)
	case !fi.IsDir():
		return fmt.Errorf("-log-file: %s: %s is not a directory", c.File, dir)
	}
	return nil
}

// Open opens the log file and returns the logger that writes it, and the file
// (nil for standard error) for the caller to sync and close once the last entry is
// written. The logger writes the file through a fallback (fallback.go): an
// entry the file refuses goes to standard error, not nowhere.
func Open(c Config) (*logrus.Logger, File, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	level, _ := logrus.ParseLevel(c.Level)
	lg := logrus.New()
	lg.SetLevel(level)
	if strings.EqualFold(c.Format, "json") {
		lg.SetFormatter(&logrus.JSONFormatter{})
	} else {
		lg.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	}
	if c.File == "-" {
		lg.SetOutput(os.Stderr)
		return lg, nil, nil
	}
	f, err := openFile(c)
	if err != nil {
		return nil, nil, err
	}
	lg.SetOutput(newFallback(f, os.Stderr, c.File))
	return lg, f, nil
}

// Write writes one entry with lg. The logger actor calls it for every LogEntry.
func Write(lg *logrus.Logger, e *messages.LogEntry) {
	lg.WithTime(e.Time).WithFields(e.Fields).Log(e.Level, e.Message)
}

// SlogHandler returns a slog handler that feeds front (a front end from NewFrontEnd).
// It is for protoactor's own logger: its Info lines (an actor recovering, a dead
// letter) are routine in a supervised server, where our own supervision log says
// more, so they are demoted to Debug; warnings and errors keep their level,
// and one about an address that repeats is written once a minute (repeat.go).
func SlogHandler(front *logrus.Logger) slog.Handler {
	return newRepeatLimit(lslog.NewHandler(front, &lslog.HandlerOptions{LevelMapper: func(l slog.Level) logrus.Level {
		switch {
		case l >= slog.LevelError:
			return logrus.ErrorLevel
		case l >= slog.LevelWarn:
			return logrus.WarnLevel
		default:
			return logrus.DebugLevel
		}
	}}))
}
