;; The inner loop of timestamping (see line-stamper.ts): copies bytes while putting a prefix
;; after each newline. Written for WebAssembly because the same work in JavaScript costs three
;; to four times as much, and it is the largest cost of timestamped output. It looks at 16 bytes
;; at once for newlines and copies whole lines with memory.copy.
(module
  (memory (export "memory") 1)

  ;; Copies `length` bytes from `source` to `target`, writing the `prefixLength` bytes at
  ;; `prefix` first when `atLineStart` is set, and after every newline except one that ends the
  ;; input. Returns how many bytes it wrote. The caller makes sure that `target` has room.
  (func (export "stamp")
    (param $source i32) (param $length i32) (param $target i32)
    (param $prefix i32) (param $prefixLength i32) (param $atLineStart i32)
    (result i32)
    (local $end i32)       ;; the end of the input
    (local $lineStart i32) ;; the first byte not yet copied
    (local $at i32)        ;; where the next byte is written
    (local $block i32)     ;; the 16 bytes being searched start here
    (local $newlines i32)  ;; one bit per newline in the block
    (local $afterNewline i32)

    (local.set $end (i32.add (local.get $source) (local.get $length)))
    (local.set $lineStart (local.get $source))
    (local.set $at (local.get $target))
    (local.set $block (local.get $source))
    (if (local.get $atLineStart)
      (then (local.set $at (call $put (local.get $at) (local.get $prefix) (local.get $prefixLength)))))

    ;; Whole blocks of 16 bytes.
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $block) (i32.const 16)) (local.get $end)))
        (local.set $newlines
          (i8x16.bitmask (i8x16.eq (v128.load (local.get $block)) (i8x16.splat (i32.const 10)))))
        (block $lineDone
          (loop $lines
            (br_if $lineDone (i32.eqz (local.get $newlines)))
            (local.set $afterNewline
              (i32.add (i32.add (local.get $block) (i32.ctz (local.get $newlines))) (i32.const 1)))
            (local.set $at (call $line (local.get $at) (local.get $lineStart) (local.get $afterNewline)
              (local.get $end) (local.get $prefix) (local.get $prefixLength)))
            (local.set $lineStart (local.get $afterNewline))
            ;; Clears the lowest bit: the newline just handled.
            (local.set $newlines (i32.and (local.get $newlines) (i32.sub (local.get $newlines) (i32.const 1))))
            (br $lines)))
        (local.set $block (i32.add (local.get $block) (i32.const 16)))
        (br $blocks)))

    ;; The last few bytes, one at a time.
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $block) (local.get $end)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (if (i32.eq (i32.load8_u (i32.sub (local.get $block) (i32.const 1))) (i32.const 10))
          (then
            (local.set $at (call $line (local.get $at) (local.get $lineStart) (local.get $block)
              (local.get $end) (local.get $prefix) (local.get $prefixLength)))
            (local.set $lineStart (local.get $block))))
        (br $tail)))

    ;; A last line without its newline.
    (local.set $at (call $put (local.get $at) (local.get $lineStart) (i32.sub (local.get $end) (local.get $lineStart))))
    (i32.sub (local.get $at) (local.get $target)))

  ;; Copies the line [lineStart, afterNewline) to `at`, then the prefix unless the input ends
  ;; there. Returns where the next byte goes.
  (func $line
    (param $at i32) (param $lineStart i32) (param $afterNewline i32) (param $end i32)
    (param $prefix i32) (param $prefixLength i32)
    (result i32)
    (local.set $at (call $put (local.get $at) (local.get $lineStart) (i32.sub (local.get $afterNewline) (local.get $lineStart))))
    (if (result i32) (i32.lt_u (local.get $afterNewline) (local.get $end))
      (then (call $put (local.get $at) (local.get $prefix) (local.get $prefixLength)))
      (else (local.get $at))))

  ;; Copies `length` bytes from `from` to `at`; returns the end of the copy.
  (func $put (param $at i32) (param $from i32) (param $length i32) (result i32)
    (memory.copy (local.get $at) (local.get $from) (local.get $length))
    (i32.add (local.get $at) (local.get $length))))
