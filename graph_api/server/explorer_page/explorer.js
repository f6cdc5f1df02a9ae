/* citekb explorer: a GraphQL client that draws lineages, similarity maps and communities.
 *
 * It sends only the queries listed in QUERIES (the same text is in docs/graphql.md,
 * "The explorer's queries") to the API it was served from. It draws views of up to
 * FORCE_MAX papers with Cytoscape.js (2D canvas, force layout) and larger ones with
 * sigma.js over a graphology graph (WebGL, positions computed here); both are served by
 * citekb, no CDN. `?renderer=cytoscape|sigma` forces one (the benchmark compares them).
 * window.citekbExplorer exposes what was asked, what came back and what was drawn, so
 * the browser test can compare them.
 */
(function () {
  "use strict";

  const QUERIES = {
    search: `query ExplorerSearch($query: String!, $first: Int! = 10) {
  search(query: $query, first: $first) {
    edges { score node { paperId title year citationCount } }
  }
}`,
    paper: `query ExplorerPaper($id: ID!) {
  paper(id: $id) {
    paperId title year venueName citationCount abstract tldr doi arxivId url
    authors(first: 12) { name }
    community { id label size }
    influence { pagerank rank percentile }
  }
}`,
    lineage: `query ExplorerLineage($id: ID!, $direction: LineageDirection! = BOTH,
                $depth: Int! = 2, $first: Int! = 100) {
  lineage(id: $id, direction: $direction, depth: $depth, first: $first) {
    root { paperId title }
    truncated
    nodes { paperId depth relation paper { title year citationCount pagerank } }
    edges { citing cited }
    mainPath { paperIds }
  }
}`,
    similar: `query ExplorerSimilar($seeds: [ID!]!, $first: Int! = 40) {
  similarityGraph(seeds: $seeds, first: $first) {
    seeds missing
    nodes {
      paperId isSeed score coCitation coupling year citationCount community pagerank
      paper { title }
    }
    edges { source target weight coCitation coupling }
  }
}`,
    community: `query ExplorerCommunity($id: Int!, $first: Int! = 60) {
  communityGraph(id: $id, first: $first) {
    community { id label size }
    truncated
    nodes { paperId year citationCount pagerank paper { title } }
    edges { citing cited }
  }
}`,
    contexts: `query ExplorerContexts($id: ID!, $others: [ID!]!) {
  citationsBetween(id: $id, others: $others) {
    citing cited isInfluential intents
    contexts { text intents }
  }
}`,
  };

  const PALETTE = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599",
    "#c2255c", "#5c940d", "#6741d9", "#a61e4d", "#1098ad", "#862e9c"];
  const $ = (id) => document.getElementById(id);
  const state = {
    view: "lineage",
    focus: null, // paperId of the paper the views are about
    origins: [], // [{paperId, title}] of the similarity map
    last: null, // {name, variables, data} of the last graph query
    timing: null, // {requestMs, drawMs, totalMs} of the last drawing
    renderer: null, // "cytoscape" or "sigma": which one holds the last drawing
    selected: null, // paperId of the paper clicked in sigma (Cytoscape keeps its own)
    drawing: 0,
    seq: 0, // bumped by every show(): an answer to an older request is dropped
  };

  async function gql(name, variables) {
    const response = await fetch(window.CITEKB_GRAPHQL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: QUERIES[name], variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length) {
      throw new Error(body.errors.map((e) => e.message).join("; "));
    }
    return body.data;
  }

  function status(text, isError) {
    $("status").textContent = text;
    $("status").classList.toggle("error", Boolean(isError));
  }

  function short(title, n) {
    if (!title) return "(untitled)";
    return title.length > n ? title.slice(0, n - 1) + "…" : title;
  }

  function intInput(id, lo, hi) {
    const v = parseInt($(id).value, 10);
    return Math.max(lo, Math.min(hi, Number.isFinite(v) ? v : lo));
  }

  // ---- Renderers -----------------------------------------------------------------
  // Two renderers, one per size of view (bench/BENCHMARKS.md, "Explorer", has the
  // times). Up to FORCE_MAX papers: Cytoscape.js on a 2D canvas, with its force layout
  // (cose), the Connected-Papers look. Above: sigma.js (WebGL) over a graphology graph,
  // with positions computed here (the lineage's year columns, rings for the maps):
  // Cytoscape spent about 4 s of CPU on 1,000 papers and 6,000 links (styles, bounding
  // boxes, the first canvas render), sigma puts the same graph in one WebGL draw.
  const FORCE_MAX = 150;
  const forcedRenderer = new URLSearchParams(window.location.search).get("renderer");

  // A browser without WebGL (no GPU and no software fallback) draws every view with
  // Cytoscape: slower above a few hundred papers, but drawn.
  const webgl = (() => {
    try {
      const canvas = document.createElement("canvas");
      return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch (err) {
      return false;
    }
  })();

  function rendererFor(nodeCount) {
    if (forcedRenderer === "cytoscape" || forcedRenderer === "sigma") return forcedRenderer;
    return nodeCount > FORCE_MAX && webgl ? "sigma" : "cytoscape";
  }

  function layer(id) {
    const div = document.createElement("div");
    div.id = id;
    div.className = "layer";
    div.hidden = true;
    $("graph").append(div);
    return div;
  }
  const cyLayer = layer("graph-cytoscape");
  const sigmaLayer = layer("graph-sigma");

  // ---- Cytoscape (views up to FORCE_MAX papers) -------------------------------------
  const cy = cytoscape({
    container: cyLayer,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": "data(color)", width: "data(size)", height: "data(size)",
        label: "", "font-size": 11, "min-zoomed-font-size": 5,
        "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "ellipsis",
        "text-max-width": 140, color: "#1d2430", "border-width": 0 } },
      // Labels on the papers that matter (largest, origins, main path) and on hover or
      // selection: a label on each of hundreds of papers is unreadable.
      { selector: "node.labelled, node.seed, node.root, node.main, node:selected, node.hover",
        style: { label: "data(label)" } },
      { selector: "node.seed, node.root", style: { "border-width": 3, "border-color": "#1d2430" } },
      { selector: "node.main", style: { "border-width": 3, "border-color": "#d9480f" } },
      { selector: "node.root", style: { "background-color": "#1c7ed6" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f2a93b" } },
      { selector: "edge", style: {
        width: "data(width)", "line-color": "#adb5bd", opacity: 0.7, "curve-style": "haystack" } },
      { selector: "edge.cites", style: {
        "curve-style": "straight", "target-arrow-shape": "triangle", "arrow-scale": 0.6,
        "target-arrow-color": "#adb5bd" } },
      { selector: "edge.main", style: {
        "line-color": "#d9480f", "target-arrow-color": "#d9480f", width: 3, opacity: 1 } },
    ],
  });
  cy.on("tap", "node", (event) => showDetails(event.target.id()));
  cy.on("mouseover", "node", (event) => event.target.addClass("hover"));
  cy.on("mouseout", "node", (event) => event.target.removeClass("hover"));
  // The details panel opening or closing changes the drawing area's size; Cytoscape
  // must be told, or taps land on the wrong node and fits use the old size.
  function fitView() {
    if (state.renderer === "sigma") {
      if (sigma) sigma.refresh(); // sigma reads its container's size on each render
      return;
    }
    cy.resize();
    if (!cy.nodes().length) return;
    cy.fit(undefined, 30);
    if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); } // small graphs: no giant labels
  }
  new ResizeObserver(fitView).observe($("graph"));

  // ---- sigma.js (larger views) ------------------------------------------------------
  // One sigma instance, its graph replaced per drawing. Labels: always on the origins
  // (forceLabel), on hover, and on the larger papers as far as sigma's label grid
  // finds room. The selected paper is highlighted through the node reducer.
  let sigma = null;
  function sigmaRenderer(graph) {
    if (sigma) {
      sigma.setGraph(graph);
      sigma.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      return sigma;
    }
    sigma = new Sigma(graph, sigmaLayer, {
      labelRenderedSizeThreshold: 6,
      // One label per 260-pixel cell: titles are cut at 40 characters (~250 px).
      labelGridCellSize: 260,
      labelDensity: 1,
      labelSize: 11,
      labelFont: "system-ui, sans-serif",
      labelColor: { color: "#1d2430" },
      defaultEdgeType: "line",
      zIndex: true,
      minCameraRatio: 0.05,
      maxCameraRatio: 4,
      allowInvalidContainer: true,
      nodeReducer: (node, data) => (node === state.selected
        ? { ...data, highlighted: true, forceLabel: true, color: "#f2a93b" } : data),
    });
    sigma.on("clickNode", ({ node }) => { state.selected = node; sigma.refresh(); showDetails(node); });
    sigma.on("enterNode", () => { sigmaLayer.style.cursor = "pointer"; });
    sigma.on("leaveNode", () => { sigmaLayer.style.cursor = ""; });
    return sigma;
  }

  // Positions for sigma when the view has none of its own: rings of growing size, the
  // API's order (best first) from the middle out, as Cytoscape's concentric layout
  // places them from the same `rank`.
  function ringPositions(nodes) {
    const rings = new Map();
    for (const n of nodes) {
      const ring = 10000 - (n.data.rank ?? 10000);
      if (!rings.has(ring)) rings.set(ring, []);
      rings.get(ring).push(n);
    }
    const positions = new Map();
    for (const [ring, members] of rings) {
      members.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / members.length - Math.PI / 2;
        const r = ring === 0 && members.length === 1 ? 0 : 60 * (ring + 1);
        positions.set(n.data.id, { x: r * Math.cos(angle), y: r * Math.sin(angle) });
      });
    }
    return positions;
  }

  const TO_SIGMA_SIZE = 0.3; // Cytoscape's diameters (14-48 px) as sigma radii at full view

  // The same elements Cytoscape takes, as a graphology graph for sigma. Cytoscape's y
  // grows downwards, sigma's upwards: y is negated so both draw the same picture.
  function sigmaGraph(elements) {
    const graph = new graphology.Graph({ type: "directed", multi: false });
    const nodes = elements.filter((e) => e.group === "nodes");
    const rings = nodes.some((n) => !n.position) ? ringPositions(nodes) : null;
    for (const n of nodes) {
      const classes = new Set((n.classes || "").split(" "));
      // Origins always carry their label; other labels go to sigma's label grid, which
      // draws those of the larger papers that do not overlap (at 1,000 papers, forced
      // labels on the 15 largest and the main path covered each other).
      const marked = classes.has("seed") || classes.has("root");
      const p = n.position || rings.get(n.data.id);
      graph.addNode(n.data.id, {
        x: p.x, y: -p.y, label: n.data.label, forceLabel: marked,
        size: n.data.size * TO_SIGMA_SIZE * (classes.has("seed") || classes.has("root") ? 1.3 : 1),
        color: classes.has("root") ? "#1c7ed6" : classes.has("main") ? "#d9480f" : n.data.color,
        zIndex: marked ? 1 : 0,
      });
    }
    for (const e of elements) {
      if (e.group !== "edges") continue;
      const classes = new Set((e.classes || "").split(" "));
      const main = classes.has("main");
      graph.addDirectedEdgeWithKey(e.data.id, e.data.source, e.data.target, {
        type: classes.has("cites") ? "arrow" : "line",
        size: main ? 2.5 : Math.max(0.4, e.data.width * 0.4),
        color: main ? "#d9480f" : "#ced4da",
        zIndex: main ? 1 : 0,
      });
    }
    return graph;
  }

  function showLayer(renderer) {
    cyLayer.hidden = renderer !== "cytoscape";
    sigmaLayer.hidden = renderer !== "sigma";
  }

  function drawnCounts() {
    if (state.renderer === "sigma") return [sigma.getGraph().order, sigma.getGraph().size];
    return [cy.nodes().length, cy.edges().length];
  }

  function yearColour(year, lo, hi) {
    if (year == null) return "#ced4da";
    const t = hi > lo ? (year - lo) / (hi - lo) : 1;
    // light (old) to dark (new) blue
    const from = [198, 219, 239], to = [8, 48, 107];
    const c = from.map((f, i) => Math.round(f + (to[i] - f) * t));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  function sizes(values) {
    const max = Math.max(0, ...values.map((v) => v || 0));
    return values.map((v) => (max > 0 ? 14 + 34 * Math.sqrt((v || 0) / max) : 18));
  }

  const LABELLED = 15;

  function draw(elements, layout, requestStart, dataAt) {
    const token = ++state.drawing;
    // The largest papers get a label (ties by id, so the choice is stable).
    const nodes = elements.filter((e) => e.group === "nodes");
    const biggest = [...nodes].sort((a, b) => (b.data.size - a.data.size) ||
      (a.data.id < b.data.id ? -1 : 1)).slice(0, LABELLED);
    for (const n of biggest) n.classes = ((n.classes || "") + " labelled").trim();
    const graph = $("graph");
    graph.dataset.state = "drawing";
    const renderer = rendererFor(nodes.length);
    return new Promise((resolve) => {
      state.renderer = renderer;
      state.selected = null;
      showLayer(renderer);
      const done = () => {
        if (token !== state.drawing) return resolve();
        const drawnAt = performance.now();
        state.timing = {
          requestMs: Math.round(dataAt - requestStart),
          drawMs: Math.round(drawnAt - dataAt),
          totalMs: Math.round(drawnAt - requestStart),
        };
        const [nodeCount, edgeCount] = drawnCounts();
        graph.dataset.state = "drawn";
        graph.dataset.view = state.view;
        graph.dataset.renderer = renderer;
        graph.dataset.nodes = String(nodeCount);
        graph.dataset.edges = String(edgeCount);
        resolve();
      };
      if (renderer === "sigma") {
        cy.elements().remove(); // one renderer holds the view: drawn() reads it
        sigmaRenderer(sigmaGraph(elements));
        // sigma renders on the next animation frame; the one after puts it on screen.
        requestAnimationFrame(() => requestAnimationFrame(done));
        return;
      }
      if (sigma) sigma.getGraph().clear();
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      const run = cy.layout(layout);
      run.one("layoutstop", () => {
        fitView();
        // The frame after the layout is the one that puts the pixels on screen.
        cy.one("render", () => requestAnimationFrame(() => requestAnimationFrame(done)));
        cy.forceRender();
      });
      run.run();
    });
  }

  // ---- Views ---------------------------------------------------------------------
  async function drawLineage(seq) {
    const variables = {
      id: state.focus,
      direction: $("lineage-direction").value,
      depth: intInput("lineage-depth", 1, 5),
      first: intInput("lineage-first", 1, 5000), // the API bounds it (API_MAX_PAGE_SIZE)
    };
    const t0 = performance.now();
    const data = await gql("lineage", variables);
    const t1 = performance.now();
    if (seq !== state.seq) return;
    state.last = { name: "lineage", variables, data };
    const lin = data.lineage;
    if (!lin) throw new Error("no such paper in the graph");
    const main = lin.mainPath.paperIds;
    const onMain = new Set(main);
    const mainEdges = new Set();
    for (let i = 0; i + 1 < main.length; i++) mainEdges.add(main[i + 1] + "->" + main[i]);
    // x: one column per distinct year (oldest left, unknown years far right);
    // y: the main path on the centre line, the others alternating above and below.
    const years = [...new Set(lin.nodes.map((n) => n.paper && n.paper.year).filter((y) => y != null))].sort((a, b) => a - b);
    const column = new Map(years.map((y, i) => [y, i]));
    const slots = new Map();
    const ordered = [...lin.nodes].sort((a, b) =>
      (onMain.has(b.paperId) - onMain.has(a.paperId)) || (a.depth - b.depth) ||
      ((b.paper && b.paper.citationCount) || 0) - ((a.paper && a.paper.citationCount) || 0) ||
      (a.paperId < b.paperId ? -1 : 1));
    const lo = years[0], hi = years[years.length - 1];
    const size = sizes(lin.nodes.map((n) => n.paper && n.paper.citationCount));
    const sizeOf = new Map(lin.nodes.map((n, i) => [n.paperId, size[i]]));
    const elements = [];
    for (const n of ordered) {
      const year = n.paper ? n.paper.year : null;
      const col = year == null ? years.length + 1 : column.get(year);
      const used = slots.get(col) || 0;
      slots.set(col, used + 1);
      const k = onMain.has(n.paperId) && used === 0 ? 0 : used + (onMain.has(n.paperId) ? 0 : 1);
      const y = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 64;
      const classes = [];
      if (n.relation === "ROOT" || n.depth === 0) classes.push("root");
      if (onMain.has(n.paperId)) classes.push("main");
      elements.push({
        group: "nodes",
        data: {
          id: n.paperId,
          label: short(n.paper && n.paper.title, 40) + (year ? ` (${year})` : ""),
          color: yearColour(year, lo, hi), size: sizeOf.get(n.paperId),
        },
        position: { x: col * 130, y },
        classes: classes.join(" "),
      });
    }
    for (const e of lin.edges) {
      const id = e.citing + "->" + e.cited;
      elements.push({ group: "edges", data: { id, source: e.citing, target: e.cited, width: 1 },
        classes: mainEdges.has(id) ? "cites main" : "cites" });
    }
    status(`${lin.nodes.length} papers, ${lin.edges.length} citations` +
      (lin.truncated ? " (truncated: raise Papers or lower Depth)" : "") +
      ` · main path: ${main.length} papers`);
    await draw(elements, { name: "preset", fit: false, animate: false }, t0, t1);
  }

  function colourAndSize(nodes) {
    const by = $("size-by").value;
    const size = sizes(nodes.map((n) => (by === "pagerank" ? n.pagerank : n.citationCount)));
    const years = nodes.map((n) => n.year).filter((y) => y != null);
    const lo = Math.min(...years), hi = Math.max(...years);
    const colourBy = $("colour-by").value;
    return nodes.map((n, i) => ({
      size: size[i],
      color: colourBy === "community"
        ? (n.community == null ? "#ced4da" : PALETTE[n.community % PALETTE.length])
        : yearColour(n.year, lo, hi),
    }));
  }

  // Up to FORCE_MAX papers: Cytoscape's force layout (cose), the Connected-Papers
  // look, with heavier edges shorter. cose compares every pair of papers on every
  // iteration (over a minute at 1,000 papers on the test machine): larger views, drawn
  // by sigma, get rings (ringPositions); with `?renderer=cytoscape` they get
  // Cytoscape's own rings (concentric, from the same rank), which are linear.
  function forceLayout(elements) {
    const count = elements.filter((e) => e.group === "nodes").length;
    if (count > FORCE_MAX) {
      return {
        name: "concentric", animate: false, fit: false, minNodeSpacing: 6,
        concentric: (node) => node.data("rank"), levelWidth: () => 1,
      };
    }
    return {
      name: "cose", animate: false, randomize: true, fit: false, numIter: 1000,
      idealEdgeLength: (edge) => 40 + 160 * (1 - (edge.data("weight") || 0)),
      edgeElasticity: (edge) => 50 + 400 * (edge.data("weight") || 0),
      nodeRepulsion: () => 9000, nodeOverlap: 8, gravity: 0.6,
    };
  }

  // Ring of each paper for the concentric layout: rings of growing size, the API's
  // order (best first) from the middle out.
  function ringRanks(nodes) {
    let ring = 0, room = 8, used = 0;
    const ranks = [];
    for (let i = 0; i < nodes.length; i++) {
      if (used === room) { ring += 1; used = 0; room += 8; }
      ranks.push(10000 - ring);
      used += 1;
    }
    return ranks;
  }

  async function drawSimilar(seq) {
    if (!state.origins.length) throw new Error("add an origin paper first");
    const variables = {
      seeds: state.origins.map((o) => o.paperId),
      first: intInput("similar-first", 2, 1000),
    };
    const t0 = performance.now();
    const data = await gql("similar", variables);
    const t1 = performance.now();
    if (seq !== state.seq) return;
    state.last = { name: "similar", variables, data };
    const g = data.similarityGraph;
    const looks = colourAndSize(g.nodes);
    const rank = ringRanks(g.nodes);
    const elements = g.nodes.map((n, i) => ({
      group: "nodes",
      data: { id: n.paperId, label: short(n.paper && n.paper.title, 40) + (n.year ? ` (${n.year})` : ""),
        color: looks[i].color, size: looks[i].size, rank: rank[i] },
      classes: n.isSeed ? "seed" : "",
    }));
    for (const e of g.edges) {
      elements.push({ group: "edges", data: { id: e.source + "--" + e.target,
        source: e.source, target: e.target, weight: e.weight, width: 0.5 + 5 * e.weight } });
    }
    status(`${g.nodes.length} papers similar to ${g.seeds.length} origin(s), ${g.edges.length} links` +
      (g.missing.length ? ` · not in the graph: ${g.missing.join(", ")}` : ""));
    await draw(elements, forceLayout(elements), t0, t1);
  }

  function restyleSimilar() {
    if (!state.last || state.last.name !== "similar") return;
    const nodes = state.last.data.similarityGraph.nodes;
    const looks = colourAndSize(nodes);
    if (state.renderer === "sigma") {
      const graph = sigma.getGraph();
      nodes.forEach((n, i) => graph.mergeNodeAttributes(n.paperId, {
        color: looks[i].color, size: looks[i].size * TO_SIGMA_SIZE * (n.isSeed ? 1.3 : 1) }));
      return;
    }
    cy.batch(() => nodes.forEach((n, i) => cy.getElementById(n.paperId).data(looks[i])));
  }

  async function drawCommunity(seq) {
    const paper = (await gql("paper", { id: state.focus })).paper;
    if (!paper || !paper.community) {
      throw new Error("this paper has no stored community (run `citekb analytics`)");
    }
    const variables = { id: paper.community.id, first: intInput("community-first", 1, 1000) };
    const t0 = performance.now();
    const data = await gql("community", variables);
    const t1 = performance.now();
    if (seq !== state.seq) return;
    state.last = { name: "community", variables, data };
    const g = data.communityGraph;
    const years = g.nodes.map((n) => n.year).filter((y) => y != null);
    const size = sizes(g.nodes.map((n) => n.pagerank));
    const rank = ringRanks(g.nodes);
    const elements = g.nodes.map((n, i) => ({
      group: "nodes",
      data: { id: n.paperId, label: short(n.paper && n.paper.title, 40) + (n.year ? ` (${n.year})` : ""),
        color: yearColour(n.year, Math.min(...years), Math.max(...years)), size: size[i],
        rank: rank[i] },
      classes: n.paperId === state.focus ? "root" : "",
    }));
    for (const e of g.edges) {
      elements.push({ group: "edges", data: { id: e.citing + "->" + e.cited,
        source: e.citing, target: e.cited, width: 1 }, classes: "cites" });
    }
    const c = g.community;
    $("community-label").textContent = `Community ${c.id}: ${c.label || "(no label)"} · ${c.size} papers`;
    status(`Community ${c.id} “${c.label || ""}”: ${g.nodes.length} of ${c.size} papers` +
      ` (highest PageRank), ${g.edges.length} citations`);
    await draw(elements, forceLayout(elements), t0, t1);
  }

  const VIEWS = { lineage: drawLineage, similar: drawSimilar, community: drawCommunity };

  async function show(view) {
    state.view = view;
    for (const b of document.querySelectorAll("#views button")) {
      b.setAttribute("aria-pressed", String(b.dataset.view === view));
    }
    for (const d of document.querySelectorAll("#controls > div")) {
      d.classList.toggle("active", d.dataset.for === view);
    }
    if (!state.focus) return;
    const url = new URL(window.location.href);
    url.searchParams.set("paper", state.focus);
    url.searchParams.set("view", view);
    if (view === "similar") url.searchParams.set("origins", state.origins.map((o) => o.paperId).join(","));
    else url.searchParams.delete("origins");
    history.replaceState(null, "", url);
    status("Loading…");
    const seq = ++state.seq;
    try {
      await VIEWS[view](seq);
    } catch (err) {
      if (seq !== state.seq) return;
      $("graph").dataset.state = "error";
      status(String(err.message || err), true);
    }
  }

  // ---- Details, origins, search ---------------------------------------------------
  async function showDetails(paperId) {
    const panel = $("details");
    panel.hidden = false;
    panel.dataset.paperId = paperId;
    delete panel.dataset.loaded;
    $("details-title").textContent = "Loading…";
    let p;
    try {
      p = (await gql("paper", { id: paperId })).paper;
    } catch (err) {
      $("details-title").textContent = String(err.message || err);
      return;
    }
    if (!p) { $("details-title").textContent = "Not in the graph"; return; }
    $("details-title").textContent = p.title || p.paperId;
    $("details-meta").textContent = [p.year, p.venueName, `${p.citationCount ?? "?"} citations`,
      p.influence ? `PageRank #${p.influence.rank}` : null].filter(Boolean).join(" · ");
    $("details-authors").textContent = p.authors.map((a) => a.name).join(", ");
    $("details-community").textContent = p.community
      ? `Community ${p.community.id}: ${p.community.label || ""} (${p.community.size} papers)` : "";
    const links = $("details-links");
    links.replaceChildren();
    const link = (href, text) => {
      const a = document.createElement("a");
      a.href = href; a.textContent = text; a.target = "_blank"; a.rel = "noopener";
      links.append(a, " ");
    };
    if (p.doi) link(`https://doi.org/${p.doi}`, `DOI:${p.doi}`);
    if (p.arxivId) link(`https://arxiv.org/abs/${p.arxivId}`, `arXiv:${p.arxivId}`);
    if (p.url) link(p.url, "Semantic Scholar");
    $("details-abstract").textContent = p.tldr || p.abstract || "";
    panel.dataset.title = p.title || "";
    panel.dataset.loaded = paperId;
    await showContexts(paperId);
  }

  // The papers a clicked paper is compared with: the map's origins, else the paper the
  // view is about.
  function currentOrigins() {
    return state.view === "similar" ? state.origins.map((o) => o.paperId) : [state.focus];
  }

  function titleOf(paperId) {
    const data = (state.last && state.last.data) || {};
    const view = data.lineage || data.similarityGraph || data.communityGraph;
    const node = view && view.nodes.find((n) => n.paperId === paperId);
    const origin = state.origins.find((o) => o.paperId === paperId);
    return (node && node.paper && node.paper.title) || (origin && origin.title) || paperId;
  }

  // Why the clicked paper and the origins cite each other: the citations between them
  // (either way) with Semantic Scholar's intents and citing sentences.
  async function showContexts(paperId) {
    const box = $("details-contexts");
    box.replaceChildren();
    delete box.dataset.loaded;
    const others = currentOrigins().filter((o) => o && o !== paperId);
    if (!others.length) { box.dataset.loaded = paperId; return; } // the origin itself
    let links;
    try {
      links = (await gql("contexts", { id: paperId, others })).citationsBetween;
    } catch (err) {
      links = null;
      box.textContent = String(err.message || err);
    }
    if ($("details").dataset.paperId !== paperId) return; // another paper was clicked since
    if (links) {
      const heading = document.createElement("h3");
      heading.textContent = others.length > 1 ? "Citations with the origins" : "Citations with the origin";
      box.append(heading);
      if (!links.length) {
        const none = document.createElement("p");
        none.className = "legend";
        none.textContent = "No citation between this paper and the origin in the graph.";
        box.append(none);
      }
      for (const link of links) {
        const item = document.createElement("div");
        item.className = "citation";
        item.dataset.citing = link.citing;
        item.dataset.cited = link.cited;
        const head = document.createElement("p");
        head.textContent = link.citing === paperId
          ? `Cites “${short(titleOf(link.cited), 70)}”` : `Cited by “${short(titleOf(link.citing), 70)}”`;
        const tags = [...link.intents, link.isInfluential ? "influential" : null].filter(Boolean);
        if (tags.length) {
          const small = document.createElement("small");
          small.textContent = ` · ${tags.join(", ")}`;
          head.append(small);
        }
        item.append(head);
        if (!link.contexts.length) {
          const none = document.createElement("p");
          none.className = "legend";
          none.textContent = "Semantic Scholar has no citing sentence for it.";
          item.append(none);
        }
        for (const c of link.contexts) {
          const quote = document.createElement("blockquote");
          quote.className = "context";
          quote.textContent = c.text;
          if (c.intents.length) {
            const small = document.createElement("small");
            small.textContent = ` (${c.intents.join(", ")})`;
            quote.append(small);
          }
          item.append(quote);
        }
        box.append(item);
      }
    }
    box.dataset.loaded = paperId;
  }

  function renderOrigins() {
    const box = $("origins");
    box.replaceChildren();
    for (const o of state.origins) {
      const chip = document.createElement("span");
      chip.className = "chip";
      chip.dataset.paperId = o.paperId;
      chip.textContent = short(o.title, 34);
      const x = document.createElement("button");
      x.type = "button";
      x.textContent = "×";
      x.title = "Remove this origin";
      x.addEventListener("click", () => {
        state.origins = state.origins.filter((y) => y.paperId !== o.paperId);
        renderOrigins();
        if (state.origins.length) show("similar");
      });
      chip.append(x);
      box.append(chip);
    }
  }

  function focusOn(paperId, title) {
    state.focus = paperId;
    state.origins = [{ paperId, title }];
    renderOrigins();
    for (const b of document.querySelectorAll("#views button")) b.disabled = false;
  }

  $("recentre").addEventListener("click", () => {
    const id = $("details").dataset.paperId;
    focusOn(id, $("details").dataset.title);
    show(state.view);
  });
  $("add-origin").addEventListener("click", () => {
    const id = $("details").dataset.paperId;
    if (!state.origins.some((o) => o.paperId === id)) {
      state.origins.push({ paperId: id, title: $("details").dataset.title });
    }
    renderOrigins();
    show("similar");
  });
  for (const b of document.querySelectorAll("#views button")) {
    b.addEventListener("click", () => show(b.dataset.view));
  }
  $("size-by").addEventListener("change", restyleSimilar);
  $("colour-by").addEventListener("change", restyleSimilar);
  for (const id of ["lineage-direction", "lineage-depth", "lineage-first", "similar-first", "community-first"]) {
    $(id).addEventListener("change", () => show(state.view));
  }

  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = $("search-input").value.trim();
    if (!query) return;
    const box = $("results");
    box.replaceChildren();
    box.dataset.state = "searching";
    try {
      const hits = (await gql("search", { query })).search.edges;
      for (const hit of hits) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "hit";
        b.dataset.paperId = hit.node.paperId;
        b.append(hit.node.title || hit.node.paperId, document.createElement("br"));
        const meta = document.createElement("small");
        meta.textContent = `${hit.node.year ?? "?"} · ${hit.node.citationCount ?? 0} citations`;
        b.append(meta);
        b.addEventListener("click", () => {
          for (const other of box.querySelectorAll(".hit")) other.removeAttribute("aria-current");
          b.setAttribute("aria-current", "true");
          focusOn(hit.node.paperId, hit.node.title);
          showDetails(hit.node.paperId);
          show(state.view);
        });
        box.append(b);
      }
      if (!hits.length) box.textContent = "No paper matches.";
      box.dataset.state = "done";
    } catch (err) {
      box.dataset.state = "error";
      box.textContent = String(err.message || err);
    }
  });

  // ---- Start: ?paper=ID&view=lineage|similar|community[&origins=a,b] ------------------
  const params = new URLSearchParams(window.location.search);
  for (const [param, input] of [["depth", "lineage-depth"], ["direction", "lineage-direction"],
    ["first", "lineage-first"], ["first", "similar-first"], ["first", "community-first"]]) {
    if (params.get(param)) $(input).value = params.get(param);
  }
  if (params.get("paper")) {
    focusOn(params.get("paper"), params.get("paper"));
    const extra = (params.get("origins") || "").split(",").filter((o) => o && o !== state.focus);
    for (const o of extra) state.origins.push({ paperId: o, title: o });
    renderOrigins();
    show(params.get("view") in VIEWS ? params.get("view") : "lineage");
  } else {
    show("lineage");
  }

  // For tests and benchmarks: what was asked, what came back, what is drawn.
  // Ids and positions (in pixels of the drawing area) of the drawn papers, from
  // whichever renderer holds the drawing.
  function drawnNodes() {
    if (state.renderer === "sigma") {
      const graph = sigma.getGraph();
      return graph.mapNodes((id, attrs) => ({ id, position: sigma.graphToViewport(attrs) }));
    }
    return cy.nodes().map((n) => ({ id: n.id(), position: n.renderedPosition() }));
  }

  window.citekbExplorer = {
    queries: QUERIES,
    state,
    drawn() {
      if (state.renderer === "sigma") {
        const graph = sigma.getGraph();
        return {
          nodes: graph.nodes().sort(),
          edges: graph.mapEdges((edge, attrs, source, target) => [source, target]),
        };
      }
      return {
        nodes: cy.nodes().map((n) => n.id()).sort(),
        edges: cy.edges().map((e) => [e.source().id(), e.target().id()]),
      };
    },
    // Pixels sigma's WebGL layers hold right after a render, per layer (null for
    // Cytoscape): evidence that the browser really drew the view with WebGL.
    paintedPixels() {
      if (state.renderer !== "sigma") return null;
      sigma.refresh(); // renders now; the buffers are read before the frame is shown
      const painted = {};
      for (const name of ["nodes", "edges"]) {
        const canvas = sigma.getCanvases()[name];
        const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
        const pixels = new Uint8Array(gl.drawingBufferWidth * gl.drawingBufferHeight * 4);
        gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA,
          gl.UNSIGNED_BYTE, pixels);
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) count += 1;
        painted[name] = count;
      }
      return painted;
    },
    nodePosition(id) {
      const found = drawnNodes().find((n) => n.id === id);
      return found ? found.position : null;
    },
    // The drawn node (of `among` when given) farthest from its nearest neighbour: the
    // safest one to click.
    loneliestNode(except, among) {
      let best = null, bestGap = -1;
      const all = drawnNodes();
      const box = $("graph").getBoundingClientRect();
      const allowed = among ? new Set(among) : null;
      for (const n of all) {
        const p = n.position;
        if (n.id === except || (allowed && !allowed.has(n.id))) continue;
        if (p.x < 20 || p.y < 20 || p.x > box.width - 20 || p.y > box.height - 20) continue;
        let gap = Infinity;
        for (const q of all) {
          const d = Math.hypot(p.x - q.position.x, p.y - q.position.y);
          if (d > 0 && d < gap) gap = d;
        }
        if (gap > bestGap) { bestGap = gap; best = n.id; }
      }
      return best;
    },
  };
})();
