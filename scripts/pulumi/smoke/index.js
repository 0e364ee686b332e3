"use strict";
const pulumi = require("@pulumi/pulumi");

const provider = {
    async configure(req) {
        // Stack config as the engine hands it to the dynamic provider (keys "<project>:<key>").
        this.greeting = req.config.get("greeting") ?? "(none)";
    },
    async create(inputs) {
        return { id: "x", outs: { v: 1, greeting: this.greeting ?? "(not configured)" } };
    },
    async delete(id, props) {},
};

class Trivial extends pulumi.dynamic.Resource {
    constructor(name, opts) {
        super(provider, name, { v: undefined, greeting: undefined }, opts);
    }
}

const r = new Trivial("trivial");
exports.v = r.v;
exports.id = r.id;
exports.greeting = r.greeting;
