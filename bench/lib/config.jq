# SPDX-License-Identifier: GPL-2.0-only
# bench/apf-bench's config reader: `key = value` lines, `#` comments, blank
# lines. Input: the file's raw lines (jq -R). Output: bash assignments for
# bench/lib/config.sh to eval (every word @sh-quoted, so nothing is split
# or globbed by the shell): CFG[key] (the value, blanks collapsed),
# CFG_LINE[key] (its line) and CFG_WORDS_key (its words), or one
# `cfg_error LINE 'why'` for the first line that is wrong.
# $keys: the known keys, space-separated.

def trim: sub("^[[:space:]]+"; "") | sub("[[:space:]]+$"; "");

($keys | split(" ")) as $known
| [inputs] as $raw
| [ $raw | to_entries[] | {n: (.key + 1), text: .value} ]
| if (.[0].text // "") | startswith("\ufeff") then
    "cfg_error 1 \("the file starts with a UTF-8 byte-order mark; save it without one" | @sh)"
  else
    reduce .[] as $l ({seen: {}, err: null};
      if .err then .
      else ($l.text | sub("#.*$"; "") | trim) as $line
      | if $line == "" then .
        elif ($line | test("=") | not) then
          .err = "cfg_error \($l.n) \("expected 'key = value', saw '\($line)'" | @sh)"
        else ($line | sub("=.*$"; "") | trim) as $key
        | ($line | sub("^[^=]*="; "") | trim) as $value
        | if ($known | index($key)) == null then
            .err = "cfg_error \($l.n) \("unknown key '\($key)' (known: \($keys))" | @sh)"
          elif .seen[$key] then
            .err = "cfg_error \($l.n) \("key '\($key)' given twice (first on line \(.seen[$key].n))" | @sh)"
          elif $value == "" then
            .err = "cfg_error \($l.n) \("key '\($key)' has no value" | @sh)"
          elif ($value | gsub("\t"; " ") | test("[[:cntrl:]]") or contains("\ufffd")) then
            .err = "cfg_error \($l.n) \("key '\($key)': a control character or bytes that are not UTF-8 in its value" | @sh)"
          else .seen[$key] = {n: $l.n, words: ($value | [splits("[[:space:]]+")])}
          end
        end
      end)
    | if .err then .err
      else .seen | to_entries[]
      | "CFG[\(.key)]=\(.value.words | join(" ") | @sh)",
        "CFG_LINE[\(.key)]=\(.value.n)",
        "CFG_WORDS_\(.key)=(\(.value.words | map(@sh) | join(" ")))"
      end
  end
