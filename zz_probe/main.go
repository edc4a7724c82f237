package main

import (
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	db, err := sql.Open("sqlite", "file:"+os.Args[1]+"?mode=ro")
	if err != nil {
		panic(err)
	}
	var v string
	db.QueryRow("select sqlite_version()").Scan(&v)
	fmt.Println("version", v)
	for _, q := range os.Args[2:] {
		for i := 0; i < 4; i++ {
			t := time.Now()
			rows, err := db.Query(q)
			if err != nil {
				panic(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			fmt.Printf("%8.2f ms %5d rows  %s\n", float64(time.Since(t).Microseconds())/1000, n, q[:min(len(q), 150)])
		}
	}
}
