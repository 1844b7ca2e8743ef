import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { chooseBackend } from "./lib/backend/select";

const target = document.getElementById("app");
if (!target) throw new Error("index.html must contain an element with id 'app'");

mount(App, { target, props: { backend: chooseBackend(window) } });
