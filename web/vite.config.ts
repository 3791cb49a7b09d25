import { defineConfig } from "vite";

// Two pages, both served by sinergi itself from the embedded dist/: the
// planners' console (index.html, at /) and GraphiQL (graphiql.html, at
// /graphiql). Nothing is loaded from elsewhere: no CDN, no web fonts.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      input: { index: "index.html", graphiql: "graphiql.html" },
    },
  },
});
