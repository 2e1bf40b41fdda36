package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"async_server/actors"
	"async_server/observatory"
)

// maxFaultBody bounds a POST /faults body; a fault is a few dozen bytes.
const maxFaultBody = 4 << 10

// faultRequest is the body of POST /faults: a target as /tree names it (or
// "random") and either a category of the supervision table or a stall, as a
// Go duration ("2s").
type faultRequest struct {
	Target   string `json:"target"`
	Category string `json:"category"`
	Stall    string `json:"stall"`
}

// faultReply is the body of a 202: the event the injection published.
type faultReply struct {
	Injected observatory.Event `json:"injected"`
}

// faults serves POST /faults: it checks the request whole before injecting,
// so that every 4xx leaves the server untouched.
func (a *Admin) faults(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: POST a fault as JSON")
		return
	}
	req, code, err := decodeFault(w, r)
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	f, err := req.fault()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e, err := a.srv.Inject(req.Target, f)
	switch {
	case errors.Is(err, actors.ErrBadFault):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, actors.ErrStopped): // an ErrUnknownTarget that /tree lists, marked stopped
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, actors.ErrUnknownTarget):
		writeError(w, http.StatusNotFound, err.Error()+" (see GET /tree for the names)")
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusAccepted, faultReply{Injected: e})
	}
}

// decodeFault reads one JSON object with only the known fields, each named
// exactly and at most once (encoding/json alone would take "TARGET" for
// "target", and the last of two "target"s). It returns the status to reply
// with when the body is not one.
func decodeFault(w http.ResponseWriter, r *http.Request) (faultRequest, int, error) {
	var req faultRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
	err := decodeFields(dec, map[string]*string{"target": &req.Target, "category": &req.Category, "stall": &req.Stall})
	if err == nil { // the object must be the whole body
		var more json.RawMessage // any value, whatever its fields
		switch err = dec.Decode(&more); err {
		case io.EOF:
			err = nil
		case nil:
			err = errors.New("more than one JSON value")
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return req, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", maxFaultBody)
	case err != nil:
		return req, http.StatusBadRequest, fmt.Errorf(`body: %v; want {"target": "conn-3", "category": "Internal"} or {"target": "random", "stall": "2s"}`, err)
	case req.Target == "":
		return req, http.StatusBadRequest, errors.New(`target missing: name a connection ("conn-3", or its remote address), "random", a service, an acceptor or "logger"`)
	}
	return req, 0, nil
}

// fault is the actors.Fault req asks for; actors.Server.Inject checks the
// category and the stall's bounds.
func (req faultRequest) fault() (actors.Fault, error) {
	switch {
	case req.Category != "" && req.Stall != "":
		return actors.Fault{}, errors.New("give a category or a stall, not both")
	case req.Category != "":
		return actors.Fault{Category: req.Category}, nil
	case req.Stall == "":
		return actors.Fault{}, errors.New(`give a category (e.g. "Internal") or a stall (e.g. "2s")`)
	}
	d, err := time.ParseDuration(req.Stall)
	if err != nil || d <= 0 || d > actors.MaxStall { // actors' own check words it otherwise
		return actors.Fault{}, fmt.Errorf("stall %q: want a positive duration such as \"2s\", at most %v", req.Stall, actors.MaxStall)
	}
	return actors.Fault{Stall: d}, nil
}

// decodeFields reads one JSON object whose fields are strings named as in
// fields, into them: a name not in fields, in another case or given twice is
// an error.
func decodeFields(dec *json.Decoder, fields map[string]*string) error {
	if t, err := dec.Token(); err != nil {
		return err
	} else if t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string) // a key is always a string
		field, ok := fields[name]
		switch {
		case !ok:
			return fmt.Errorf("unknown field %q", name)
		case seen[name]:
			return fmt.Errorf("field %q given twice", name)
		}
		seen[name] = true
		if err := dec.Decode(field); err != nil {
			return fmt.Errorf("field %q: %w", name, err)
		}
	}
	_, err := dec.Token() // the closing '}'
	return err
}
