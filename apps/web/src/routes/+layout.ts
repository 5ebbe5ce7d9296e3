// A static single-page app: the shell is prerendered, everything else runs in the browser
// (camera, tfjs, the detector); there is no server.
export const prerender = true;
export const ssr = false;
