// Command leveldb-tombstones measures what a range read costs in Fabric's state database
// (goleveldb, with the options the peer uses) after the keys under the range were deleted: the
// Totals read after CompactTotals has folded a million delta entries into a few snapshots.
//
// It writes N proofs' worth of keys the way the chaincode lays them out (one totals delta, one
// proof record and six index entries per proof, 1,000 proofs per write batch like a block), deletes
// the totals deltas 5,000 per batch and writes the snapshots (CompactTotals), then times the range
// read of the totals prefix: first, repeated (goleveldb compacts a table that reads keep seeking
// through), and after compacting the range.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// key is a composite key of namespace "impact" in the peer's state database: 'd', the namespace,
// 0x00, then the chaincode's composite key (0x00 objectType 0x00 attribute 0x00 ...).
func key(objectType string, attributes ...string) []byte {
	k := "d" + "impact" + "\x00" + "\x00" + objectType + "\x00"
	for _, a := range attributes {
		k += a + "\x00"
	}
	return []byte(k)
}

func proofID(n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("bench-seed:p:1:%d", n)))
	return hex.EncodeToString(sum[:])
}

func totalsDelta(n int) []byte {
	return key("il.totals", "A", "km", "p", "0000000001", "issued:"+proofID(n))
}

func main() {
	proofs := flag.Int("proofs", 1_000_000, "proofs to write, then fold")
	reads := flag.Int("reads", 30, "range reads after the fold")
	dir := flag.String("dir", "", "database folder (default: a new temporary one, removed at the end)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "leveldb-tombstones-")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	db, err := leveldb.OpenFile(*dir, &opt.Options{}) // the peer opens its state database with default options
	check(err)
	defer db.Close()

	value := func(size int) []byte { return make([]byte, size) }
	start := time.Now()
	batch := new(leveldb.Batch)
	for n := 0; n < *proofs; n++ {
		id := proofID(n)
		batch.Put(totalsDelta(n), value(220))
		batch.Put(key("il.proof", id), value(900))
		for i := 0; i < 6; i++ {
			batch.Put(key(fmt.Sprintf("il.index%d", i), id[i:i+8], id), value(40))
		}
		if (n+1)%1000 == 0 {
			check(db.Write(batch, nil))
			batch.Reset()
		}
		if (n+1)%100_000 == 0 {
			fmt.Printf("written %d proofs (%.0f s)\n", n+1, time.Since(start).Seconds())
		}
	}
	check(db.Write(batch, nil))
	prefix := util.BytesPrefix(key("il.totals", "A", "km"))
	fmt.Printf("range read, %d live deltas: %s\n", *proofs, scan(db, prefix))

	start = time.Now()
	batch.Reset()
	for n := 0; n < *proofs; n++ {
		batch.Delete(totalsDelta(n))
		if (n+1)%5000 == 0 {
			batch.Put(key("il.totals", "A", "km", "p", "0000000001", fmt.Sprintf("snapshot:2026-%02d", 1+(n/5000)%12)), value(220))
			check(db.Write(batch, nil))
			batch.Reset()
		}
	}
	check(db.Write(batch, nil))
	fmt.Printf("folded %d deltas into 12 snapshots (%.0f s)\n", *proofs, time.Since(start).Seconds())
	for i := 1; i <= *reads; i++ {
		fmt.Printf("range read %d after the fold: %s\n", i, scan(db, prefix))
	}
	start = time.Now()
	check(db.CompactRange(*prefix))
	fmt.Printf("compacted the range (%.1f s)\n", time.Since(start).Seconds())
	fmt.Printf("range read after compacting the range: %s\n", scan(db, prefix))
}

// scan reads every record of the range and says how many and how long it took.
func scan(db *leveldb.DB, r *util.Range) string {
	start := time.Now()
	it := db.NewIterator(r, nil)
	count := 0
	for it.Next() {
		count++
	}
	it.Release()
	check(it.Error())
	return fmt.Sprintf("%d records in %.1f ms", count, float64(time.Since(start).Microseconds())/1000)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
