package httpkit

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

func formRequest(contentType string, body io.Reader) *http.Request {
	r := httptest.NewRequest("POST", "/office/form", body)
	r.Header.Set("Content-Type", contentType)
	return r
}

func multipartBody(t *testing.T, build func(mw *multipart.Writer)) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	build(mw)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

func TestReadFormBounds(t *testing.T) {
	lim := formLimits{MaxBytes: 64 << 10, MaxFields: 10, MaxName: 16, MaxValue: 100, MaxFiles: 1, MaxFileBytes: 1000}
	const urlenc = "application/x-www-form-urlencoded"
	tests := []struct {
		name        string
		contentType string
		body        func(t *testing.T) (string, io.Reader)
		want        int
	}{
		{"URLEncodedOK", urlenc, func(*testing.T) (string, io.Reader) {
			return urlenc, strings.NewReader("title=Registre+des+naissances&unit=etat-civil")
		}, 0},
		{"URLEncodedTooManyFields", "", func(*testing.T) (string, io.Reader) {
			return urlenc, strings.NewReader(strings.Repeat("a=1&", 10) + "b=2")
		}, 400},
		{"URLEncodedLongValue", "", func(*testing.T) (string, io.Reader) {
			return urlenc, strings.NewReader("a=" + strings.Repeat("x", 101))
		}, 400},
		{"URLEncodedLongEscapedValue", "", func(*testing.T) (string, io.Reader) {
			return urlenc, strings.NewReader("a=" + strings.Repeat("%41", 101))
		}, 400},
		{"URLEncodedLongName", "", func(*testing.T) (string, io.Reader) { return urlenc, strings.NewReader(strings.Repeat("k", 17) + "=1") }, 400},
		{"URLEncodedTooLarge", "", func(*testing.T) (string, io.Reader) { return urlenc, strings.NewReader(strings.Repeat("x", 65<<10)) }, 413},
		{"NotAForm", "", func(*testing.T) (string, io.Reader) { return "application/json", strings.NewReader(`{}`) }, 415},
		{"MultipartOK", "", func(t *testing.T) (string, io.Reader) {
			return multipartBody(t, func(mw *multipart.Writer) {
				_ = mw.WriteField("title", "Registre")
				fw, _ := mw.CreateFormFile("file", "register.csv")
				_, _ = fw.Write([]byte("a,b\n1,2\n"))
			})
		}, 0},
		{"MultipartTooManyParts", "", func(t *testing.T) (string, io.Reader) {
			return multipartBody(t, func(mw *multipart.Writer) {
				for i := range 11 {
					_ = mw.WriteField(fmt.Sprint("f", i), "v")
				}
			})
		}, 400},
		{"MultipartTooManyFiles", "", func(t *testing.T) (string, io.Reader) {
			return multipartBody(t, func(mw *multipart.Writer) {
				for range 2 {
					fw, _ := mw.CreateFormFile("file", "x.csv")
					_, _ = fw.Write([]byte("a"))
				}
			})
		}, 400},
		{"MultipartLargeFile", "", func(t *testing.T) (string, io.Reader) {
			return multipartBody(t, func(mw *multipart.Writer) {
				fw, _ := mw.CreateFormFile("file", "x.csv")
				_, _ = fw.Write(bytes.Repeat([]byte("a"), 1001))
			})
		}, 413},
		{"MultipartLongValue", "", func(t *testing.T) (string, io.Reader) {
			return multipartBody(t, func(mw *multipart.Writer) { _ = mw.WriteField("a", strings.Repeat("x", 101)) })
		}, 400},
		{"MultipartHeadersBeyondTheBodyCap", "", func(*testing.T) (string, io.Reader) {
			body := "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n" + strings.Repeat("X-A: 1\r\n", 8500) + "\r\nv\r\n--b--\r\n"
			return "multipart/form-data; boundary=b", strings.NewReader(body)
		}, 413},
		{"MultipartNoBoundary", "", func(*testing.T) (string, io.Reader) { return "multipart/form-data", strings.NewReader("x") }, 400},
		{"MultipartTruncated", "", func(*testing.T) (string, io.Reader) {
			return "multipart/form-data; boundary=b", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv")
		}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := tt.body(t)
			r := formRequest(ct, body)
			w := httptest.NewRecorder()
			r, done := WithBodyHold(r, NewBodyBudget(0))
			defer done()
			f, err := readForm(w, r, lim)
			if got := statusOfErr(err); got != tt.want {
				t.Fatalf("got %d (%v), want %d", got, err, tt.want)
			}
			if tt.want == 0 && f.Values.Get("title") == "" {
				t.Fatalf("got %+v, want the title", f.Values)
			}
		})
	}
}

// TestReadFormMemoryIsBoundedByTheBody sends the worst forms at the
// default limits and checks what reading them allocates.
func TestReadFormMemoryIsBoundedByTheBody(t *testing.T) {
	lim := defaultFormLimits()
	many := strings.Repeat("a=1&", 300_000)
	bodies := map[string]func() (string, string){
		"many url fields": func() (string, string) { return "application/x-www-form-urlencoded", many[:lim.MaxBytes-1] },
		"many parts": func() (string, string) {
			return "multipart/form-data; boundary=b", strings.Repeat("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n", 30_000)[:lim.MaxBytes-1]
		},
		"many part headers": func() (string, string) {
			return "multipart/form-data; boundary=b", ("--b\r\n" + strings.Repeat("X-A: 1\r\n", 200_000))[:lim.MaxBytes-1]
		},
	}
	for name, mk := range bodies {
		ct, body := mk()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, done := WithBodyHold(formRequest(ct, strings.NewReader(body)), NewBodyBudget(0))
		_, err := readForm(httptest.NewRecorder(), r, lim)
		done()
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d kB allocated, %v", name, alloc>>10, err)
		if statusOfErr(err) < 400 {
			t.Errorf("%s: accepted", name)
		}
		if alloc > 16*uint64(len(body)) {
			t.Errorf("%s: allocated %d bytes for a body of %d", name, alloc, len(body))
		}
	}
}
